/** Release versions: `MAJOR.MINOR`, compared as numbers (1.10 comes after 1.9). */

/** A version as written: no leading zeros, so each version has one spelling. */
export const VERSION = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

export function isVersion(value: string): boolean {
  return VERSION.test(value);
}

/** A number that orders versions: major * 1e6 + minor. */
export function versionRank(version: string): number {
  const m = VERSION.exec(version);
  if (!m) throw new Error(`not a version: ${version}`);
  return Number(m[1]) * 1_000_000 + Number(m[2]);
}

/** The version after `last`: its next minor one; `1.0` when there is none. */
export function nextVersion(last: string | undefined): string {
  if (last === undefined) return '1.0';
  const [major, minor] = last.split('.').map(Number) as [number, number];
  return `${major}.${minor + 1}`;
}
