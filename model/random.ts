/**
 * mulberry32: a small, well-known seeded 32-bit generator. The same seed gives the same sequence on
 * every machine, so a round's sample, a benchmark's rows and a randomized test can all be drawn again.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
