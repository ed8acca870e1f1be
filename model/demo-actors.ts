/**
 * The demo dataset's actor list (sheet `actors`): every actor its events name in `actor1` / `actor2`,
 * with a CAMEO-style code, the other names the seed article uses for it, and its country. The aliases
 * are what the reading pane finds in a selected passage ("Pyongyang", "North Korea’s legislature",
 * "Russian President Vladimir Putin"), names in other scripts included (김정은, 金正恩). Short names that the
 * article uses for more than one person are left out ("Pak": Jung Pak, and Pak Myong-ho).
 */
import type * as Y from 'yjs';
import { ACTOR_LIST_COLUMNS } from './actors';
import type { CellValue } from './columns';
import { createSheet, getSheet, insertRow, sheetColumns } from './document';
import { newRowId } from './ids';

/** The sheet of the demo's actor list. */
export const DEMO_ACTOR_SHEET = { id: 'actors', name: 'Actors' } as const;
/** The events columns that name it. */
export const DEMO_ACTOR_COLUMNS = ['actor1', 'actor2'] as const;

export const DEMO_ACTORS: Array<{ name: string; code: string; aliases: string[]; country: string }> = [
  { name: 'China', code: 'CHN', aliases: ['Beijing', 'Chinese government', 'People’s Republic of China', '中国'], country: 'CHN' },
  {
    name: 'China (Liu Xiaoming, special envoy)', code: 'CHNGOV',
    aliases: ['Liu Xiaoming', 'Liu', 'China’s special envoy for Korean peninsula affairs', 'Chinese envoy', '刘晓明'], country: 'CHN',
  },
  { name: 'United States', code: 'USA', aliases: ['US', 'USA', 'Washington', 'United States of America'], country: 'USA' },
  {
    name: 'United States (Jung Pak, deputy special representative)', code: 'USAGOV',
    aliases: ['Jung Pak', 'US deputy special representative for the DPRK', 'US representative'], country: 'USA',
  },
  { name: 'United States (air force)', code: 'USAMIL', aliases: ['US air force'], country: 'USA' },
  { name: 'North Korea', code: 'PRK', aliases: ['Pyongyang', 'DPRK', 'Democratic People’s Republic of Korea'], country: 'PRK' },
  { name: 'North Korea (Kim Jong-un)', code: 'PRKGOV', aliases: ['Kim Jong-un', 'Kim', '김정은', '金正恩'], country: 'PRK' },
  { name: 'North Korea (Supreme People’s Assembly)', code: 'PRKLEG', aliases: ['North Korea’s legislature', 'Supreme People’s Assembly'], country: 'PRK' },
  { name: 'South Korea', code: 'KOR', aliases: ['Seoul', 'Republic of Korea', 'ROK'], country: 'KOR' },
  { name: 'South Korea (air force)', code: 'KORMIL', aliases: ['Seoul’s air force', 'South Korean air force'], country: 'KOR' },
  { name: 'Japan', code: 'JPN', aliases: ['Tokyo'], country: 'JPN' },
  { name: 'Russia', code: 'RUS', aliases: ['Moscow', 'Russian Federation'], country: 'RUS' },
  { name: 'Russia (Vladimir Putin)', code: 'RUSGOV', aliases: ['Vladimir Putin', 'Putin', 'Russian President Vladimir Putin'], country: 'RUS' },
];

/** Adds the actor list and makes the events' actor columns name it (inside the seeding transaction). */
export function seedDemoActors(doc: Y.Doc): void {
  const sheet = createSheet(doc, { ...DEMO_ACTOR_SHEET, columns: ACTOR_LIST_COLUMNS });
  for (const actor of DEMO_ACTORS) insertRow(sheet, newRowId(), actor as Record<string, CellValue>);
  for (const column of sheetColumns(getSheet(doc, 'events')!)) {
    if ((DEMO_ACTOR_COLUMNS as readonly unknown[]).includes(column.get('id'))) column.set('actors', DEMO_ACTOR_SHEET.id);
  }
}
