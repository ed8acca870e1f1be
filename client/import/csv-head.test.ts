import { describe, expect, it } from 'vitest';
import { csvHead } from './csv-head';

const file = (text: string) => new Blob([text], { type: 'text/csv' });

describe('csvHead (the import preview)', () => {
  it('reads the header and the first rows, quoted line breaks and all, without the byte-order mark', async () => {
    const head = await csvHead(file('\uFEFFactor1,summary\r\nSeoul,"two\r\nlines"\r\n\r\nTokyo,"say ""hi"""\r\nOsaka,x\r\n'), 1024, 2);
    expect(head).toEqual({ header: ['actor1', 'summary'], rows: [['Seoul', 'two\r\nlines'], ['Tokyo', 'say "hi"']] });
  });

  it('keeps a stray quote in an unquoted field as text and takes records of any length, as the server does', async () => {
    const head = await csvHead(file('a,b\nHe said "hi",x,extra\nshort\n'), 1024, 5);
    expect(head.rows).toEqual([['He said "hi"', 'x', 'extra'], ['short']]);
  });

  it('leaves out a record that the cut after the first bytes ends inside', async () => {
    const text = 'a,b\n1,2\n3,"a long quoted text that goes past the cut"\n';
    const head = await csvHead(file(text), text.indexOf('long'), 5);
    expect(head).toEqual({ header: ['a', 'b'], rows: [['1', '2']] });
  });
});
