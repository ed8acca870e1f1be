/**
 * Turning an uploaded file into a source's text and title. Plain text and Markdown are kept exactly as
 * sent (anchors count the text as stored). HTML is reduced to its readable text by a conservative
 * stripper: no HTML library is installed, and a source's text needs only the words a reader sees.
 */

/** Elements whose content is never readable text. */
const DROPPED = ['script', 'style', 'head', 'noscript', 'template', 'svg', 'iframe', 'object'];
/** Elements that end a line of text. */
const BLOCK = /^(?:p|div|br|hr|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|section|article|header|footer|aside|nav|main|blockquote|pre|figure|figcaption|address|title)$/i;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®', trade: '™',
  euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°', middot: '·', bull: '•', shy: '\u00AD', times: '×',
};

/** Decodes character references: numeric ones, and the common named ones (others are left as written). */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g, (whole, dec, hex, name) => {
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number(dec) : Number.parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD';
    }
    return NAMED_ENTITIES[name as string] ?? whole;
  });
}

/** The readable text of an HTML page: dropped elements removed, tags removed, entities decoded, blank runs collapsed. */
export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const tag of DROPPED) s = s.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}\\s*>`, 'gi'), ' ');
  s = s.replace(/<\/?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>/g, (_tag, name: string) => (BLOCK.test(name) ? '\n' : ''));
  s = s.replace(/<![^>]*>/g, '');
  // Source whitespace inside a line is one space (as a browser shows it); block ends become line breaks.
  const lines = decodeEntities(s.replace(/[ \t\r\f\v]*\n[ \t\r\f\v]*/g, '\n'))
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v]+/g, ' ').trim());
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** The title of an HTML page: its `<title>`, else its first `<h1>`. */
export function htmlTitle(html: string): string | null {
  for (const re of [/<title\b[^>]*>([\s\S]*?)<\/title\s*>/i, /<h1\b[^>]*>([\s\S]*?)<\/h1\s*>/i]) {
    const m = re.exec(html);
    const title = m ? decodeEntities(m[1]!.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim() : '';
    if (title) return title;
  }
  return null;
}

/** A plain-text or Markdown title: the first non-empty line, without a Markdown heading's `#`s. */
export function firstLineTitle(text: string): string | null {
  const line = text.split(/\r\n|\r|\n/).map((l) => l.trim()).find((l) => l !== '');
  if (!line) return null;
  const title = line.replace(/^#{1,6}\s+/, '').replace(/\s+#+$/, '').trim();
  return title.length > 200 ? `${[...title].slice(0, 199).join('')}…` : title || null;
}

export type UploadType = 'text/plain' | 'text/markdown' | 'text/html';
export const UPLOAD_TYPES: readonly UploadType[] = ['text/plain', 'text/markdown', 'text/html'];

/** The text and title of an uploaded file. */
export function fromUpload(type: UploadType, body: string): { text: string; title: string | null } {
  if (type === 'text/html') {
    const text = htmlToText(body);
    return { text, title: htmlTitle(body) ?? firstLineTitle(text) };
  }
  return { text: body, title: firstLineTitle(body) };
}
