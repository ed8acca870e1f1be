/**
 * The random sample of a round: a share of the rows not yet double-coded, drawn with a seeded
 * generator so that the same seed over the same rows draws the same sample again.
 */
import { seededRandom } from '../../model/random';

/** A seed for a sample that was given none: any 32-bit unsigned integer. */
export function newSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** How many rows a sample of `percent` % of a sheet's `total` rows takes: rounded up, so a small sheet still gives a row. */
export function sampleSize(total: number, percent: number): number {
  return Math.ceil((total * percent) / 100);
}

/**
 * `count` rows of `eligible` (all of them if there are fewer), chosen by a seeded shuffle of the rows
 * in id order; returned in id order.
 */
export function drawSample(eligible: readonly string[], count: number, seed: number): string[] {
  const rows = [...new Set(eligible)].sort();
  const take = Math.min(rows.length, count);
  const random = seededRandom(seed);
  // Fisher–Yates, only as far as needed.
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (rows.length - i));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows.slice(0, take).sort();
}
