/**
 * Avatar initials that tell apart the people present: a person's own initials (first and last name's
 * first letters, or a single name's first two) unless someone else present has the same; then the first
 * letter and a character of the name that sets it apart (coder1 and coder2 show C1 and C2).
 */

/** A name's own initials: "Ana Ruiz" → "AR", "coder1" → "CO". */
export function ownInitials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [[...parts[0]!][0], [...parts[parts.length - 1]!][0]] : [...(parts[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** Initials for each of `names` (distinct names), no two alike. */
export function distinctInitials(names: readonly string[]): Map<string, string> {
  const own = new Map(names.map((name) => [name, ownInitials(name)]));
  const holders = new Map<string, number>();
  for (const initials of own.values()) holders.set(initials, (holders.get(initials) ?? 0) + 1);
  const result = new Map<string, string>();
  const taken = new Set<string>();
  for (const [name, initials] of own) {
    if (holders.get(initials) === 1) {
      result.set(name, initials);
      taken.add(initials);
    }
  }
  // Those who share initials, in a fixed order so every browser shows the same.
  const sharing = [...own.keys()].filter((name) => !result.has(name)).sort();
  for (const name of sharing) {
    const chars = [...name.replace(/[^\p{L}\p{N}]/gu, '')].map((c) => c.toUpperCase());
    const first = chars[0] ?? '?';
    const candidates = [first + (chars.at(-1) ?? ''), ...chars.slice(1).map((c) => first + c)];
    let pick = candidates.find((c) => c.length > 1 && !taken.has(c));
    for (let n = 2; pick === undefined; n++) if (!taken.has(first + n)) pick = first + n;
    result.set(name, pick);
    taken.add(pick);
  }
  return result;
}

/** Relative luminance (WCAG 2) of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/**
 * The text colour for initials on a person's colour: white or black, whichever contrasts more (one
 * of them always reaches 4.5:1). Anything but `#rrggbb` gets white.
 */
export function initialsTextColor(background: string): string {
  if (!/^#[0-9a-f]{6}$/i.test(background)) return '#ffffff';
  const l = luminance(background);
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#ffffff' : '#000000';
}
