/**
 * The demo dataset `demo`, coded from one article (a copy is test/fixtures/seed-article.txt): South
 * China Morning Post, February 2024, "China and US agree to keep communication open over Korean
 * peninsula". Thursday is 2024-02-22 and Friday 2024-02-23. Quotes and excerpts are verbatim,
 * typographic apostrophes and quotation marks kept; summaries are our own words.
 */
import type { CellValue } from './columns';
import type { Place } from './places';
import type * as Y from 'yjs';
import { seedDemoActors } from './demo-actors';
import { getSheet, initDocument, insertRow } from './document';
import { newRowId } from './ids';
import { TEMPLATES } from './templates';

type Values = Record<string, CellValue>;

/**
 * The demo's places as the gazetteer gives them (GeoNames, CC BY 4.0): a city at its own coordinates, a
 * country at its capital's. The article names a country only for the missile test, Kim's warning and the
 * air drills (precision 4), and the city for the G20 meeting (precision 1).
 */
const NORTH_KOREA: Place = { name: 'North Korea', country: 'PRK', lat: 39.03385, lon: 125.75432, precision: 4, geonameid: null };
const SOUTH_KOREA: Place = { name: 'South Korea', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 4, geonameid: null };
const RIO_DE_JANEIRO: Place = { name: 'Rio de Janeiro', country: 'BRA', lat: -22.90642, lon: -43.18223, precision: 1, geonameid: 3451190 };

export const DEMO_DATASET = { id: 'demo', name: 'Korean peninsula, February 2024 (demo)' } as const;

export const DEMO_EVENTS: Values[] = [
  {
    event_date: '2024-02-22', date_precision: 'day',
    actor1: 'China (Liu Xiaoming, special envoy)', actor1_country: 'CHN',
    actor2: 'United States (Jung Pak, deputy special representative)', actor2_country: 'USA',
    event_type: 'CONSULT', cameo_code: '04x', context: ['diplomatic'],
    summary: 'Chinese and US envoys for the Korean peninsula hold a meeting by video link.',
    source_excerpt: 'In a meeting via video link on Thursday, Liu Xiaoming, China’s special envoy for Korean peninsula affairs, said a stable Korean peninsula was in the interests of the region and the world.',
  },
  {
    event_date: '2024-02-22', date_precision: 'day',
    actor1: 'China', actor1_country: 'CHN', actor2: 'United States', actor2_country: 'USA',
    event_type: 'AGREE', cameo_code: '036', context: ['diplomatic'],
    summary: 'China and the US agree to keep communicating over the situation on the Korean peninsula.',
    source_excerpt: 'China and the United States have agreed to continue communicating over the situation on the Korean peninsula, as series of North Korean missile tests ratcheted up tensions in the region.',
  },
  {
    event_date: '2024-02-14', date_precision: 'day',
    actor1: 'North Korea (Kim Jong-un)', actor1_country: 'PRK',
    event_type: 'MOBILIZE', cameo_code: '15x', context: ['military'],
    location: 'North Korea', country: 'PRK', place: NORTH_KOREA,
    summary: 'North Korea tests new Padasuri-6 surface-to-sea missiles, with Kim Jong-un overseeing the test.',
    source_excerpt: 'Last week, its leader, Kim Jong-un, oversaw the testing of new Padasuri-6 surface-to-sea missiles and warned that his country would take a more aggressive military posture in disputed waters near the South Korean border islands of Baengnyeong and Yeonpyeong.',
  },
  {
    event_date: '2024-02', date_precision: 'month',
    actor1: 'North Korea (Supreme People’s Assembly)', actor1_country: 'PRK',
    actor2: 'South Korea', actor2_country: 'KOR',
    event_type: 'SANCTION', cameo_code: '16x', context: ['economic', 'legislative'],
    summary: 'North Korea’s legislature votes to scrap all economic cooperation agreements with South Korea.',
    source_excerpt: 'This month, North Korea’s legislature voted to scrap all economic cooperation agreements with South Korea.',
  },
  {
    // The dyad is the allies cooperating with each other; North Korea is what they cooperate about.
    // Actor 2 is two countries, so its country is left empty.
    event_date: '2024-02-22', date_precision: 'day',
    actor1: 'United States', actor1_country: 'USA',
    actor2: 'Japan; South Korea',
    event_type: 'COOPERATE', cameo_code: '03x', context: ['diplomatic'],
    location: 'Rio', country: 'BRA', place: RIO_DE_JANEIRO,
    summary: 'On the sidelines of the G20 foreign ministers’ meeting in Rio, the top diplomats of the US, Japan and South Korea agree to cooperate more closely on North Korea’s nuclear and missile development and its military cooperation with Russia.',
    source_excerpt: 'On the sidelines of the G20 foreign ministers’ meeting in Rio on Thursday, top diplomats from the US, Japan and South Korea agreed to pursue closer cooperation to address North Korea’s nuclear and missile development, and its expanding military cooperation with Russia.',
  },
  {
    // A show of force towards North Korea: said in the summary, not in the dyad.
    event_date: '2024-02-23', date_precision: 'day',
    actor1: 'South Korea (air force)', actor1_country: 'KOR',
    actor2: 'United States (air force)', actor2_country: 'USA',
    event_type: 'COOPERATE', cameo_code: '062', context: ['military'],
    location: 'South Korea', country: 'KOR', place: SOUTH_KOREA,
    summary: 'South Korea and the US stage joint air drills with F-35A stealth fighters, a show of force to strengthen deterrence against North Korea.',
    source_excerpt: 'And South Korea and the US, in an effort to strengthen deterrence against North Korea, staged air drills in South Korea on Friday. Seoul’s air force said the F-35A stealth fighters formed a joint team to train on defensive counter air manoeuvres, such as intercepting simulated enemy aircraft and cruise missiles.',
  },
  {
    // The article gives no date for the acceptance, nor where it was made.
    event_date: '2024', date_precision: 'year',
    actor1: 'Russia (Vladimir Putin)', actor1_country: 'RUS',
    actor2: 'North Korea (Kim Jong-un)', actor2_country: 'PRK',
    event_type: 'AGREE', cameo_code: '036', context: ['diplomatic', 'future'],
    summary: 'Putin accepts an invitation from Kim Jong-un to visit North Korea.',
    source_excerpt: 'Meanwhile, Russian President Vladimir Putin has accepted an invitation to visit North Korea, an invitation that was extended during Kim’s six-day visit to Russia in September.',
  },
  {
    // Said while overseeing the missile test of 2024-02-14 (the same sentence as that event).
    event_date: '2024-02-14', date_precision: 'day',
    actor1: 'North Korea (Kim Jong-un)', actor1_country: 'PRK',
    actor2: 'South Korea', actor2_country: 'KOR',
    event_type: 'THREATEN', cameo_code: '138', context: ['military'],
    location: 'North Korea', country: 'PRK', place: NORTH_KOREA,
    summary: 'Kim Jong-un warns that North Korea will take a more aggressive military posture in the disputed waters near the South Korean border islands of Baengnyeong and Yeonpyeong.',
    source_excerpt: 'Last week, its leader, Kim Jong-un, oversaw the testing of new Padasuri-6 surface-to-sea missiles and warned that his country would take a more aggressive military posture in disputed waters near the South Korean border islands of Baengnyeong and Yeonpyeong.',
  },
  {
    // "Repeatedly": no one date.
    event_date: '2024', date_precision: 'year',
    actor1: 'United States', actor1_country: 'USA',
    actor2: 'China', actor2_country: 'CHN',
    event_type: 'DEMAND', cameo_code: '10x', context: ['diplomatic', 'cbrn'],
    summary: 'Washington repeatedly calls on Beijing to use its leverage to rein in North Korea’s pursuit of nuclear weapons and persuade Kim Jong-un to return to nuclear negotiations.',
    source_excerpt: 'Washington has repeatedly called on China – a major ally and economic lifeline to North Korea – to use its leverage to reign in Pyongyang’s pursuit of nuclear weapons and persuade Kim to return to nuclear negotiations.',
  },
];

const LIU = { speaker: 'Liu Xiaoming', speaker_role: 'special envoy for Korean peninsula affairs', speaker_country: 'CHN' };
const PAK = { speaker: 'Jung Pak', speaker_role: 'US deputy special representative for the DPRK', speaker_country: 'USA' };

/** Statements; `event: 0` links to the first event. */
export const DEMO_STATEMENTS: Array<Values & { event?: number }> = [
  {
    statement_date: '2024-02-22', date_precision: 'day', ...LIU, addressee: 'Jung Pak',
    quote: 'All parties concerned should face the crux of the question of the peninsula and address their respective concerns in a balanced manner through meaningful dialogue',
    quote_type: 'direct', stance: 'support', topic: 'dialogue on the Korean peninsula', channel: 'meeting', event: 0,
  },
  {
    statement_date: '2024-02-22', date_precision: 'day', ...LIU, addressee: 'Jung Pak',
    quote: 'China will continue to play a constructive role in advancing the process of a political settlement of the peninsula issue',
    quote_type: 'direct', stance: 'support', topic: 'political settlement of the peninsula issue', channel: 'meeting', event: 0,
  },
  {
    statement_date: '2024-02-22', date_precision: 'day', ...PAK, addressee: 'Liu Xiaoming',
    quote: 'the US values China’s role in addressing the peninsula issue and hopes to communicate and cooperate with China in this regard',
    quote_type: 'indirect', stance: 'support', topic: 'China’s role on the peninsula', channel: 'meeting', event: 0,
  },
  {
    statement_date: '2024-02-15', date_precision: 'week', ...PAK,
    quote: 'It’s not just our problem. China has a role to play and it has influence.',
    quote_type: 'direct', stance: 'neutral', topic: 'China’s responsibility for North Korea', channel: 'interview',
  },
  {
    // The same interview. The article reports the call in its own words, quoting only "deepening
    // cooperation": an indirect quote, as the article gives it.
    statement_date: '2024-02-15', date_precision: 'week', ...PAK,
    quote: 'China should condemn North Korea’s “deepening cooperation” with Russia',
    quote_type: 'indirect', stance: 'oppose', topic: 'North Korea’s cooperation with Russia', channel: 'interview',
  },
];

/** Fills an empty document with the demo dataset, its actor list (model/demo-actors.ts) included. */
export function seedDemo(doc: Y.Doc, origin?: unknown): void {
  initDocument(doc, DEMO_DATASET.name, TEMPLATES['events-statements'], origin);
  doc.transact(() => {
    const events = getSheet(doc, 'events')!;
    const statements = getSheet(doc, 'statements')!;
    const eventIds = DEMO_EVENTS.map((values) => {
      const id = newRowId();
      insertRow(events, id, values);
      return id;
    });
    for (const { event, ...values } of DEMO_STATEMENTS) {
      insertRow(statements, newRowId(), event === undefined ? values : { ...values, event_id: eventIds[event]! });
    }
    seedDemoActors(doc);
  }, origin);
}
