/** The agreement report as CSV: one line per column (all coders), then one per pair of coders and column. */
import type { Agreement, Round } from '../../model/http';
import { csvLines } from '../export/format';

export const REPORT_HEADER = ['scope', 'column', 'level', 'coders', 'alpha', 'percent', 'units'];

/** Alpha and percent to three decimals, as reliability is reported; empty where alpha is undefined. */
const decimal = (n: number | null) => (n === null ? '' : n.toFixed(3));

export function agreementCsv(round: Pick<Round, 'coders' | 'levels'>, agreement: Agreement): string {
  const lines = [REPORT_HEADER];
  for (const c of agreement.columns) {
    lines.push(['all', c.column, c.level, round.coders.join('; '), decimal(c.alpha), decimal(c.percent), String(c.units)]);
  }
  for (const p of agreement.pairs) {
    lines.push(['pair', p.column, round.levels[p.column] ?? '', p.coders.join('; '), decimal(p.alpha), decimal(p.percent), String(p.units)]);
  }
  return csvLines(lines);
}
