import { describe, expect, it } from 'vitest';
import { TEMPLATES } from './templates';
import { quoteProblem } from './quotes';

const columns = TEMPLATES['events-statements'].find((s) => s.id === 'statements')!.columns;
const anchor = { source: 'S', start: 0, end: 5, exact: 'hello' };

describe('quoteProblem', () => {
  it('accepts a direct quote that is the exact text of one of the row’s anchors', () => {
    expect(quoteProblem(columns, { quote: 'hello', quote_type: 'direct', evidence: [{ ...anchor, source: 'T' }, anchor] })).toBeNull();
  });

  it('names a direct quote without evidence, and one that differs from every anchor', () => {
    expect(quoteProblem(columns, { quote: 'hello', quote_type: 'direct' })?.message).toMatch(/needs evidence/);
    expect(quoteProblem(columns, { quote: 'hello.', quote_type: 'direct', evidence: [anchor] })).toMatchObject({ code: 'quote_not_in_evidence' });
  });

  it('leaves indirect quotes, empty quotes and sheets without quote columns alone', () => {
    expect(quoteProblem(columns, { quote: 'hello', quote_type: 'indirect' })).toBeNull();
    expect(quoteProblem(columns, { quote_type: 'direct' })).toBeNull();
    const events = TEMPLATES['events-statements'].find((s) => s.id === 'events')!.columns;
    expect(quoteProblem(events, { quote: 'hello', quote_type: 'direct' })).toBeNull();
  });
});
