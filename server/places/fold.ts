/**
 * Place names folded for matching: lower case, accents and other marks dropped, letters that do not
 * decompose spelled out (ß → ss, ø → o, ł → l), and every run of punctuation and spaces one space. So
 * `Sao Paulo` and `são-paulo` both fold to `sao paulo`, as São Paulo does. Scripts without Latin
 * letters fold consistently with themselves (서울 matches 서울).
 */

const SPELLED: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'n', ĸ: 'k',
};
const UNSPELLED = new RegExp(`[${Object.keys(SPELLED).join('')}]`, 'g');

export function fold(text: string): string {
  // Most names are plain ASCII: no need to decompose them.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
    .replace(UNSPELLED, (c) => SPELLED[c]!)
    .replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A name as plain ASCII where it is only accents away from it (`Côte d'Ivoire` → `Cote d'Ivoire`); otherwise as it is. */
export function asciiName(name: string): string {
  const plain = name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(UNSPELLED, (c) => SPELLED[c]!)
    .replace(/[ÆŒØŁĐÐÞ]/g, (c) => ({ Æ: 'AE', Œ: 'OE', Ø: 'O', Ł: 'L', Đ: 'D', Ð: 'D', Þ: 'TH' })[c]!);
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(plain) ? plain : name;
}
