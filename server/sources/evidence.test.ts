import { describe, expect, it } from 'vitest';
import type { SourceStore } from '../storage';
import { EvidenceCheck } from './evidence';

/** A store holding `texts` by dataset and source, counting how often a text is read. */
function store(texts: Record<string, Record<string, string>>) {
  const reads = { n: 0 };
  const sources = {
    text: async (datasetId: string, sourceId: string) => {
      reads.n++;
      return texts[datasetId]?.[sourceId];
    },
  } as Partial<SourceStore> as SourceStore;
  return { sources, reads };
}

describe('EvidenceCheck', () => {
  const TEXT = '👍 “Yes,” she said.';
  const good = { source: 'S1', start: 2, end: 8, exact: '“Yes,”' };

  it('passes cells without anchors and good anchors, and names the problem of a bad one', async () => {
    const { sources } = store({ d1: { S1: TEXT }, d2: { S2: TEXT } });
    const check = new EvidenceCheck(sources);
    expect(await check.problemOf('d1', [{ column: 'summary', value: 'text' }, { column: 'context', value: ['a'] }])).toBeNull();
    expect(await check.problemOf('d1', [{ column: 'evidence', value: [good] }])).toBeNull();
    expect(await check.problemOf('d1', [{ column: 'evidence', value: [{ ...good, source: 'S2' }] }])).toMatch(/evidence: no source "S2"/);
    expect(await check.problemOf('d1', [{ column: 'evidence', value: [good, { ...good, start: 3, end: 9 }] }])).toMatch(/not the text/);
    expect(await check.problemOf('d1', [{ column: 'evidence', value: [{ ...good, start: 20, end: 26 }] }])).toMatch(/outside/);
  });

  it('reads a text once while it is cached, and again after the source is forgotten', async () => {
    const { sources, reads } = store({ d1: { S1: TEXT } });
    const check = new EvidenceCheck(sources);
    await check.problemOf('d1', [{ column: 'evidence', value: [good] }]);
    await check.problemOf('d1', [{ column: 'evidence', value: [good] }]);
    expect(reads.n).toBe(1);
    check.forget('d1', 'S1');
    await check.problemOf('d1', [{ column: 'evidence', value: [good] }]);
    expect(reads.n).toBe(2);
  });
});
