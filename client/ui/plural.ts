/** "no sources", "1 source", "3 sources": a count with its noun, for messages. */
export function count(n: unknown, noun: string): string {
  const value = typeof n === 'number' ? n : 0;
  return value === 0 ? `no ${noun}s` : `${value} ${noun}${value === 1 ? '' : 's'}`;
}
