import { describe, expect, it } from 'vitest';
import { fromUpload, htmlTitle, htmlToText } from './text';

describe('the readable text of an HTML source', () => {
  it('decodes every named character reference, not only a few', () => {
    expect(htmlToText('<p>Caf&eacute; &uuml;ber Espa&ntilde;a &hellip; &rarr; &Omega; &frac12; &aacute;&Ccedil;&szlig;</p>'))
      .toBe('Café über España … → Ω ½ áÇß');
    // An unknown name is text; an ampersand alone is an ampersand; a legacy name without `;` decodes as browsers do.
    expect(htmlToText('<p>&bogus; AT&T &copy 2024</p>')).toBe('&bogus; AT&T © 2024');
  });

  it('decodes numeric references: decimal, hexadecimal, astral, NUL and the Windows-1252 range as browsers do', () => {
    expect(htmlToText('<p>&#233;&#xE9;&#Xe9; &#x1F44D;&#128077; &#0; &#150; &#x110000;</p>')).toBe('ééé 👍👍 \uFFFD – \uFFFD');
  });

  it('never lets an attribute leak into the text, whatever it holds', () => {
    expect(htmlToText('<p title="a > b">Hello</p>')).toBe('Hello');
    expect(htmlToText(`<p><a href="/x?a=1&b=2" data-x='1 > 0 "q"' title=">>">link</a> <img alt="a > b" src=x> end</p>`)).toBe('link end');
  });

  it('keeps <pre> as written: spaces, line breaks and blank lines; tags in it removed and references decoded', () => {
    const html = '<p>Intro</p><pre>\n  line 1\n    line  2\n\n\tlast &lt;b&gt; <b>bold</b>   x</pre><p>After</p>';
    expect(htmlToText(html)).toBe('Intro\n\n  line 1\n    line  2\n\n\tlast <b> bold   x\n\nAfter');
    // Line ends are read as one newline, as an HTML parser does before anything else.
    expect(htmlToText('<pre>a\r\nb\rc</pre>')).toBe('a\nb\nc');
  });

  it('drops script, style, head, template and the like, and comments', () => {
    const html = '<html><head><meta charset="utf-8"><title>T</title><style>p { color: red }</style></head>'
      + '<body><p>a<script>var s = "<p>no</p>"; if (1 < 2) {}</script>b</p><noscript>Enable JS</noscript>'
      + '<template><p>hidden</p></template><!-- <p>comment</p> --><svg><text>chart</text></svg><p>c</p></body></html>';
    expect(htmlToText(html)).toBe('ab\n\nc');
    // A <head> left open ends where the body's content starts, as in a browser.
    expect(htmlToText('<head><title>T</title><meta charset=utf-8><p>para</p>')).toBe('para');
  });

  it('makes block elements line breaks, a blank line around paragraphs, however deeply nested', () => {
    expect(htmlToText('<div>One</div><div>Two</div>')).toBe('One\nTwo');
    expect(htmlToText('<div><div><p>One</p></div><div>Two</div></div><section><h2>Three</h2></section><div><div>Four</div></div>'))
      .toBe('One\n\nTwo\n\nThree\n\nFour');
    expect(htmlToText('<blockquote><p>Quoted</p></blockquote>text after<hr>rule')).toBe('Quoted\n\ntext after\n\nrule');
  });

  it('makes <br> a line break', () => {
    expect(htmlToText('<p>line one<br>line two<br/>line three</p>')).toBe('line one\nline two\nline three');
    expect(htmlToText('<p>end<br></p><p>next</p>')).toBe('end\n\nnext');
  });

  it('puts each list item on a line of its own', () => {
    expect(htmlToText('<p>Intro</p><ul><li>First</li><li>Second <em>point</em></li></ul><ol><li>One<ul><li>Nested</li></ul></li></ol><p>End</p>'))
      .toBe('Intro\n\nFirst\nSecond point\n\nOne\nNested\n\nEnd');
  });

  it('puts each table row on a line, its cells separated by tabs', () => {
    const html = '<table><caption>Envoys</caption><tr><th>Name</th><th>Role</th></tr>'
      + '<tbody><tr><td>Liu</td><td>special <b>envoy</b></td></tr><tr><td></td><td>none</td></tr></tbody></table><p>After</p>';
    expect(htmlToText(html)).toBe('Envoys\nName\tRole\nLiu\tspecial envoy\n\tnone\n\nAfter');
  });

  it('collapses blanks outside <pre> to one space, as a browser shows them, and keeps no-break spaces', () => {
    expect(htmlToText('<p>  Many   spaces\n\tand\r\nlines  <b> bold </b> end </p>')).toBe('Many spaces and lines bold end');
    expect(htmlToText('<p>a&nbsp;&nbsp;b</p>\n\n   \n<p>c</p>')).toBe('a\u00A0\u00A0b\n\nc');
    expect(htmlToText('Hello <span>wor</span>ld')).toBe('Hello world');
  });

  it('takes the title from <title>, else the first <h1>, decoded and collapsed', () => {
    expect(htmlTitle('<title> Caf&eacute;\n &amp; co </title><h1>No</h1>')).toBe('Café & co');
    expect(htmlTitle('<body><h1 title="x > y">Head <i>line</i> &ndash; here</h1><h1>Second</h1></body>')).toBe('Head line – here');
    expect(htmlTitle('<p>No heading</p>')).toBeNull();
    expect(htmlTitle('<html><head><title>In head</title></head><body><svg><title>A chart</title></svg></body></html>')).toBe('In head');
    expect(htmlTitle('<body><svg><title>A chart</title></svg><h1>Heading</h1></body>')).toBe('Heading');
    // The title is the source's title, not a line of its text.
    expect(fromUpload('text/html', '<title>Page</title><p>Body</p>')).toEqual({ text: 'Body', title: 'Page' });
  });
});
