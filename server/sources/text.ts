/**
 * Turning an uploaded file into a source's text and title. Plain text and Markdown are kept exactly as
 * sent (anchors count the text as stored). HTML is reduced to the text a reader sees, by a real HTML
 * parser (htmlparser2): attributes never reach the text, every character reference is decoded as a
 * browser decodes it, and the layout that carries meaning stays (block elements end lines, paragraphs
 * are set apart by a blank line, `<pre>` is kept as written). The stored text is what anchors count
 * code points in, so what is lost here is lost for good.
 */
import { Parser } from 'htmlparser2';

/**
 * Elements whose content is never readable text (`title` is the source's title, not a line of its text).
 * `head` is not one: what it may hold is dropped or void, and text in it is shown by browsers, as is
 * everything after a `<head>` that is never closed.
 */
const DROPPED = new Set([
  'script', 'style', 'title', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button', 'textarea',
]);
/** Block elements set apart from what is around them by a blank line. */
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'ul', 'ol', 'dl', 'table', 'figure', 'hr', 'address']);
/** Block elements on lines of their own. */
const LINE = new Set([
  'html', 'body', 'div', 'li', 'dt', 'dd', 'tr', 'caption', 'thead', 'tbody', 'tfoot', 'section', 'article', 'header', 'footer', 'aside',
  'nav', 'main', 'figcaption', 'details', 'summary', 'form', 'fieldset', 'legend', 'center', 'hgroup', 'search', 'menu', 'dialog',
]);
/** Blanks that HTML collapses; U+00A0 (no-break space) is not one of them and stays. */
const BLANKS = /[ \t\n\f\r]+/g;

class TextBuilder {
  /** The text so far; its end is never read back (that would flatten it each time), `trailing` says what it is. */
  private out = '';
  private started = false;
  /** How many newlines the text so far ends with. */
  private trailing = 0;
  /** Line breaks owed before the next text: 1 ends a line, 2 leaves a blank line; none at the start. */
  private breaks = 0;
  /** A blank was read since the last word: one space goes before the next, unless a line starts there. */
  private space = false;
  /** Depth inside dropped elements, and inside `<pre>`. */
  private dropped = 0;
  private pre = 0;
  /** The `<pre>` just opened may still drop its first newline (HTML ignores it). */
  private preStart = false;
  private firstCell = true;
  /** Depth inside lists: a list within a list is set apart by a line break only, as browsers show it. */
  private lists = 0;
  /** The first `<title>`'s text, and the first `<h1>`'s, while and after they are read. */
  private title: string | null = null;
  private inTitle = false;
  /** Depth inside SVG and MathML, whose `<title>` names a drawing, not the page. */
  private foreign = 0;
  private h1: string | null = null;
  private inH1 = false;

  open(name: string): void {
    this.preStart = false;
    if (name === 'svg' || name === 'math') this.foreign++;
    if (name === 'title' && this.title === null && this.foreign === 0) {
      this.title = '';
      this.inTitle = true;
    }
    if (DROPPED.has(name)) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) return;
    if (name === 'h1' && this.h1 === null) {
      this.h1 = '';
      this.inH1 = true;
    }
    if (name === 'br') return this.lineBreak();
    this.block(name);
    if (name === 'ul' || name === 'ol') this.lists++;
    if (name === 'tr') this.firstCell = true;
    if (name === 'td' || name === 'th') {
      if (!this.firstCell) this.write('\t');
      this.firstCell = false;
    }
    if (name === 'pre') {
      this.pre++;
      this.preStart = true;
    }
  }

  close(name: string): void {
    if (name === 'title') this.inTitle = false;
    if ((name === 'svg' || name === 'math') && this.foreign > 0) this.foreign--;
    if (DROPPED.has(name)) {
      if (this.dropped > 0) this.dropped--;
      return;
    }
    if (this.dropped > 0) return;
    if (name === 'h1') this.inH1 = false;
    if (name === 'pre' && this.pre > 0) this.pre--;
    if ((name === 'ul' || name === 'ol') && this.lists > 0) this.lists--;
    this.block(name);
  }

  text(data: string): void {
    if (this.inTitle) this.title += data;
    if (this.dropped > 0) return;
    if (this.inH1) this.h1 += data;
    if (this.pre > 0) {
      const text = this.preStart ? data.replace(/^\n/, '') : data;
      this.preStart = false;
      if (text !== '') this.write(text);
      return;
    }
    const collapsed = data.replace(BLANKS, ' ');
    const start = collapsed.startsWith(' ') ? 1 : 0;
    const end = collapsed.length > start && collapsed.endsWith(' ') ? collapsed.length - 1 : collapsed.length;
    if (start === 1) this.space = true;
    if (end > start) this.write(collapsed.slice(start, end));
    if (end < collapsed.length) this.space = true;
  }

  /** The text, and the title: `<title>`, else the first `<h1>`. */
  finish(): { text: string; title: string | null } {
    const collapse = (t: string | null) => (t ?? '').replace(BLANKS, ' ').trim() || null;
    return { text: this.out, title: collapse(this.title) ?? collapse(this.h1) };
  }

  private block(name: string): void {
    const nested = (name === 'ul' || name === 'ol') && this.lists > 0;
    const need = PARAGRAPH.has(name) && !nested ? 2 : PARAGRAPH.has(name) || LINE.has(name) ? 1 : 0;
    if (need === 0) return;
    this.breaks = Math.max(this.breaks, need);
    this.space = false;
  }

  /** `<br>`: a line ends here, even an empty one, but at most one blank line in a row. */
  private lineBreak(): void {
    if (this.pre > 0) return this.write('\n');
    this.applyBreaks();
    if (this.trailing < 2) this.append('\n');
    this.space = false;
  }

  private write(text: string): void {
    this.applyBreaks();
    if (this.space && this.started && this.trailing === 0) this.append(' ');
    this.space = false;
    this.append(text);
  }

  private append(text: string): void {
    this.out += text;
    this.started = true;
    let n = 0;
    while (n < text.length && text.charCodeAt(text.length - 1 - n) === 10) n++;
    this.trailing = n === text.length ? this.trailing + n : n;
  }

  /** The owed line breaks, less those the text already ends with; none before the first text. */
  private applyBreaks(): void {
    if (this.breaks > this.trailing && this.started) this.append('\n'.repeat(this.breaks - this.trailing));
    this.breaks = 0;
  }
}

/** The readable text and the title of an HTML page. */
export function readHtml(html: string): { text: string; title: string | null } {
  const builder = new TextBuilder();
  const parser = new Parser({
    onopentagname: (name) => builder.open(name),
    onclosetag: (name) => builder.close(name),
    ontext: (data) => builder.text(data),
  }, { decodeEntities: true, lowerCaseTags: true });
  // An HTML parser reads every CRLF and lone CR as one newline before anything else.
  parser.end(html.replace(/\r\n?/g, '\n'));
  return builder.finish();
}

/** The readable text of an HTML page. */
export function htmlToText(html: string): string {
  return readHtml(html).text;
}

/** The title of an HTML page: its `<title>`, else its first `<h1>`. */
export function htmlTitle(html: string): string | null {
  return readHtml(html).title;
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
    const { text, title } = readHtml(body);
    return { text, title: title ?? firstLineTitle(text) };
  }
  return { text: body, title: firstLineTitle(body) };
}
