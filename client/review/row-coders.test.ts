import { describe, expect, it } from 'vitest';
import { codedByText, rowAuthors } from './row-coders';

const at = Date.parse('2024-02-22T10:00:00Z');
const fromServer = { coders: ['ana', 'ben'], lastChangedBy: 'ben' };

describe("a flagged row's coders", () => {
  it("takes everyone and the last coder from the server's flags list", () => {
    const authors = rowAuthors(fromServer, at, 'cody', undefined);
    expect([...authors!.everyone]).toEqual(['ana', 'ben']);
    expect(authors!.last).toBe('ben');
  });

  it('counts my own edit at once, before a list asked for after it can show it', () => {
    const authors = rowAuthors(fromServer, at + 500, 'cody', at);
    expect([...authors!.everyone]).toEqual(['ana', 'ben', 'cody']);
    expect(authors!.last).toBe('cody');
  });

  it('believes a list asked for well after my edit, which has had time to record it', () => {
    const authors = rowAuthors({ coders: ['cody', 'ana'], lastChangedBy: 'ana' }, at + 5000, 'cody', at);
    expect(authors!.last).toBe('ana');
  });

  it('knows nothing of a row from a server that sends no coders, except my own edits', () => {
    expect(rowAuthors({}, at, 'cody', undefined)).toBeUndefined();
    expect(rowAuthors(undefined, at, 'cody', undefined)).toBeUndefined();
    expect(rowAuthors({}, at + 60_000, 'cody', at)).toEqual({ everyone: new Set(['cody']), last: 'cody' });
  });

  it('treats a row nobody changed as having no last coder', () => {
    expect(rowAuthors({ coders: [], lastChangedBy: null }, at, 'cody', undefined)).toEqual({ everyone: new Set(), last: null });
  });
});

describe('the review card’s “coded by”', () => {
  it('names everyone who coded the row, not only whoever changed a cell last', () => {
    expect(codedByText({ everyone: new Set(['coder1', 'coder2']), last: 'coder2' })).toBe('coded by coder1 and coder2');
    expect(codedByText({ everyone: new Set(['Ana', 'Ben', 'Cy']), last: 'Ana' })).toBe('coded by Ana, Ben and Cy');
    expect(codedByText({ everyone: new Set(['Ana']), last: 'Ana' })).toBe('coded by Ana');
  });

  it('says nothing when nobody coded the row or nothing is known', () => {
    expect(codedByText({ everyone: new Set(), last: null })).toBeNull();
    expect(codedByText(undefined)).toBeNull();
  });
});
