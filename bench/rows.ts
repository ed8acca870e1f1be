/** Deterministic, realistic-looking events rows (all 14 columns of the events sheet). */
import type { CellValue } from '../model/columns';
import { seededRandom } from '../model/random';
import { CONTEXTS, DATE_PRECISIONS, EVENT_TYPES } from '../model/templates';

/** A seeded generator, so every peer gets the same rows. */
export const prng = seededRandom;

const ACTORS: readonly [string, string][] = [
  ['China (Liu Xiaoming, special envoy)', 'CHN'], ['United States (State Department)', 'USA'],
  ['North Korea (KCNA)', 'PRK'], ['South Korea (Ministry of Unification)', 'KOR'], ['Japan (Prime Minister)', 'JPN'],
  ['Russia (Foreign Ministry)', 'RUS'], ['United Nations Security Council', 'UNO'], ['European Union (EEAS)', 'EUR'],
  ['Germany (Chancellery)', 'DEU'], ['France (Quai d\'Orsay)', 'FRA'], ['India (External Affairs)', 'IND'],
  ['Brazil (Itamaraty)', 'BRA'], ['Kenya (State House)', 'KEN'], ['Ukraine (President\'s Office)', 'UKR'],
];
const PLACES: readonly [string, string][] = [
  ['Beijing', 'CHN'], ['Washington', 'USA'], ['Pyongyang', 'PRK'], ['Seoul', 'KOR'], ['Tokyo', 'JPN'], ['Moscow', 'RUS'],
  ['New York', 'USA'], ['Brussels', 'BEL'], ['Berlin', 'DEU'], ['Paris', 'FRA'], ['New Delhi', 'IND'], ['Brasília', 'BRA'],
  ['Nairobi', 'KEN'], ['Kyiv', 'UKR'], ['Geneva', 'CHE'],
];
const VERBS = ['met with', 'called on', 'criticised', 'urged', 'pledged support to', 'warned', 'held talks with', 'accused'];
const TOPICS = [
  'the resumption of six-party talks', 'sanctions relief', 'a ceasefire along the border', 'humanitarian aid deliveries',
  'the nuclear programme', 'joint military exercises', 'a new trade agreement', 'the release of detained journalists',
];

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const pad = (n: number) => String(n).padStart(2, '0');

export function eventRow(rand: () => number, index: number): Record<string, CellValue> {
  const [actor1, actor1Country] = pick(rand, ACTORS);
  const [actor2, actor2Country] = pick(rand, ACTORS);
  const [location, country] = pick(rand, PLACES);
  const year = 2010 + Math.floor(rand() * 15);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const precision = rand() < 0.85 ? 'day' : pick(rand, DATE_PRECISIONS);
  const date = precision === 'year' ? `${year}` : precision === 'month' ? `${year}-${pad(month)}` : `${year}-${pad(month)}-${pad(day)}`;
  const verb = pick(rand, VERBS);
  const topic = pick(rand, TOPICS);
  const contexts = [pick(rand, CONTEXTS)];
  if (rand() < 0.4) contexts.push(pick(rand, CONTEXTS));
  const actorName = actor1.split(' (')[0] ?? actor1;
  return {
    event_date: date,
    date_precision: precision,
    actor1,
    actor1_country: actor1Country,
    actor2,
    actor2_country: actor2Country,
    event_type: pick(rand, EVENT_TYPES),
    cameo_code: `0${Math.floor(rand() * 9) + 1}${Math.floor(rand() * 10)}`,
    context: [...new Set(contexts)],
    location,
    country,
    summary: `${actorName} ${verb} ${actor2.split(' (')[0]} in ${location} over ${topic} (item ${index}).`,
    source_url: `https://news.example.org/${year}/${pad(month)}/${pad(day)}/world-${Math.floor(rand() * 1e6)}`,
    source_excerpt: `"We ${verb.split(' ')[0]} our partners on ${topic}," a spokesperson said in ${location}.`,
  };
}
