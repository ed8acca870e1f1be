import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { anchorProblem } from '../../model/anchors';
import { seedDemo } from '../../model/demo';
import { getSheet, sheetRows } from '../../model/document';
import { SEED_ARTICLE } from '../../model/seed-article';
import { demoAnchors, findPassage } from './demo-source';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seed-article.txt'), 'utf8');

describe('the seed article as a source', () => {
  it('is the fixture, byte for byte', () => {
    expect(SEED_ARTICLE.text).toBe(FIXTURE);
  });
});

describe('demoAnchors', () => {
  const doc = new Y.Doc();
  seedDemo(doc);
  const found = demoAnchors(doc, 'SEED', SEED_ARTICLE.text);

  it('anchors every demo row, each anchor the exact code-point slice of the article', () => {
    const rows = ['events', 'statements'].flatMap((s) => [...sheetRows(getSheet(doc, s)!).keys()]);
    expect(found.map((f) => f.row).sort()).toEqual(rows.sort());
    for (const { anchors } of found) {
      expect(anchors.length).toBeGreaterThan(0);
      for (const anchor of anchors) expect(anchorProblem(anchor, SEED_ARTICLE.text)).toBeNull();
    }
  });

  it('splits an excerpt whose line break the article does not have into its lines', () => {
    const anchors = findPassage('A said x. B said y.', 'S', 'A said x.\nB said y.');
    expect(anchors.map((a) => a.exact)).toEqual(['A said x.', 'B said y.']);
  });

  it('finds a quote whose final full stop is a comma in the article', () => {
    expect(findPassage('“We talk,” he said.', 'S', 'We talk.')).toEqual([{ source: 'S', start: 1, end: 8, exact: 'We talk' }]);
  });
});
