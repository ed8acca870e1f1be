import { seededRandom } from '../../model/random';

/** A small seeded PRNG (mulberry32), so a randomized test replays exactly from its seed. */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
  /** A short string of letters and digits. */
  word(maxLength?: number): string;
}

export function mulberry32(seed: number): Random {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const random: Random = {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    bytes: (length) => Uint8Array.from({ length }, () => int(0, 255)),
    word: (maxLength = 8) => {
      const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      return Array.from({ length: int(1, maxLength) }, () => alphabet[int(0, alphabet.length - 1)]).join('');
    },
  };
  return random;
}

/** The seed of a randomized test: `SEED=… npx vitest …` replays a failure. */
export function testSeed(fallback: number): number {
  const fromEnv = process.env.SEED;
  return fromEnv === undefined || fromEnv === '' ? fallback : Number(fromEnv);
}
