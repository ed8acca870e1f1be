import { describe, expect, it } from 'vitest';
import { parseRoute } from './router';

describe('page addresses', () => {
  it('opens a dataset, one of its sheets, or its progress view', () => {
    expect(parseRoute('/d/demo')).toEqual({ page: 'dataset', datasetId: 'demo' });
    expect(parseRoute('/d/demo/events')).toEqual({ page: 'dataset', datasetId: 'demo', sheetId: 'events' });
    expect(parseRoute('/d/korea-2024/-/progress')).toEqual({ page: 'progress', datasetId: 'korea-2024' });
  });

  it('has a page for the signed-in user’s own account', () => {
    expect(parseRoute('/account')).toEqual({ page: 'account' });
    expect(parseRoute('/account/x')).toEqual({ page: 'not-found' });
  });

  it("opens a dataset's codebook and its releases", () => {
    expect(parseRoute('/d/demo/-/codebook')).toEqual({ page: 'codebook', datasetId: 'demo' });
    expect(parseRoute('/d/demo/-/releases')).toEqual({ page: 'releases', datasetId: 'demo' });
    expect(parseRoute('/d/demo/-/releases/1.0')).toEqual({ page: 'not-found' });
  });

  it('opens a dataset\'s rounds, a coder\'s copy, a round\'s report and its adjudication', () => {
    expect(parseRoute('/d/demo/-/rounds')).toEqual({ page: 'rounds', datasetId: 'demo' });
    expect(parseRoute('/d/demo/-/rounds/01HX')).toEqual({ page: 'round', datasetId: 'demo', roundId: '01HX', view: 'code' });
    expect(parseRoute('/d/demo/-/rounds/01HX/report')).toEqual({ page: 'round', datasetId: 'demo', roundId: '01HX', view: 'report' });
    expect(parseRoute('/d/demo/-/rounds/01HX/adjudicate')).toEqual({ page: 'round', datasetId: 'demo', roundId: '01HX', view: 'adjudicate' });
    for (const path of ['/d/demo/-/rounds/01HX/other', '/d/demo/-/rounds/a-b', '/d/demo/-/rounds/01HX/report/x']) {
      expect(parseRoute(path)).toEqual({ page: 'not-found' });
    }
  });

  it('shows "not found" for a dataset id the id rule refuses, rather than asking the server', () => {
    for (const path of ['/d/Demo', '/d/-demo', '/d/de_mo', `/d/${'a'.repeat(64)}`, '/d/a%20b/-/progress']) {
      expect(parseRoute(path)).toEqual({ page: 'not-found' });
    }
  });

  it('shows "not found" for an address with a malformed escape', () => {
    expect(parseRoute('/d/%E0%A4%A')).toEqual({ page: 'not-found' });
  });
});
