import { describe, expect, it } from 'vitest';
import { COLUMN_ID } from './ids';
import { DEFAULT_FLAG_REASONS, TEMPLATES } from './templates';

/** The events-statements template as teams rely on it: id, type, required, codes. */
const PRECISIONS = ['day', 'week', 'month', 'year', 'unknown'];
const DOMAIN_EVENTS = [
  ['event_date', 'date', true],
  ['date_precision', 'enum', true, PRECISIONS],
  ['actor1', 'text', true],
  ['actor1_country', 'text', false],
  ['actor2', 'text', false],
  ['actor2_country', 'text', false],
  ['event_type', 'enum', true, ['AGREE', 'CONSULT', 'SUPPORT', 'CONCEDE', 'COOPERATE', 'AID', 'RETREAT', 'INVESTIGATE',
    'DEMAND', 'DISAPPROVE', 'REJECT', 'THREATEN', 'PROTEST', 'SANCTION', 'MOBILIZE', 'COERCE', 'ASSAULT']],
  ['cameo_code', 'text', false],
  ['context', 'multi', false, ['political', 'military', 'diplomatic', 'economic', 'legislative', 'cbrn', 'future', 'hypothetical']],
  ['location', 'text', false],
  ['country', 'text', false],
  ['place', 'place', false],
  ['summary', 'longtext', true],
  ['source_url', 'url', false],
  ['source_excerpt', 'longtext', false],
  ['evidence', 'evidence', false],
] as const;
const DOMAIN_STATEMENTS = [
  ['statement_date', 'date', true],
  ['date_precision', 'enum', true, PRECISIONS],
  ['speaker', 'text', true],
  ['speaker_role', 'text', false],
  ['speaker_country', 'text', false],
  ['addressee', 'text', false],
  ['quote', 'longtext', true],
  ['quote_type', 'enum', true, ['direct', 'indirect', 'paraphrase']],
  ['stance', 'enum', false, ['support', 'oppose', 'neutral', 'ambiguous']],
  ['topic', 'text', false],
  ['channel', 'enum', false, ['meeting', 'interview', 'press_conference', 'written_statement', 'social_media', 'other']],
  ['event_id', 'ref', false],
  ['source_url', 'url', false],
  ['evidence', 'evidence', false],
] as const;

type Row = readonly [string, string, boolean, (readonly string[])?];
const asTable = (rows: readonly Row[]) =>
  rows.map(([id, type, required, options]) => ({ id, type, required, options: options ? [...options] : undefined }));
const fromTemplate = (sheetIndex: number) =>
  TEMPLATES['events-statements'][sheetIndex]!.columns.map((c) => ({ id: c.id, type: c.type, required: c.required === true, options: c.options }));

describe('the events-statements template', () => {
  const [events, statements] = TEMPLATES['events-statements'];

  it('has the sheets events and then statements', () => {
    expect(TEMPLATES['events-statements'].map((s) => s.id)).toEqual(['events', 'statements']);
    expect(events.name).toBe('Events');
    expect(statements.name).toBe('Statements');
  });

  it('gives events exactly the template’s columns, in order, with their types, required flags and codes', () => {
    expect(fromTemplate(0)).toEqual(asTable(DOMAIN_EVENTS));
  });

  it('gives statements exactly the template’s columns, in order, with their types, required flags and codes', () => {
    expect(fromTemplate(1)).toEqual(asTable(DOMAIN_STATEMENTS));
  });

  it('points statements.event_id at the events sheet', () => {
    expect(statements.columns.find((c) => c.id === 'event_id')!.ref).toBe('events');
  });

  it('names and describes every column, with ids that follow the column id rule', () => {
    for (const column of [...events.columns, ...statements.columns]) {
      expect(column.id).toMatch(COLUMN_ID);
      expect(column.name.trim()).not.toBe('');
      expect(column.description?.trim(), column.id).toBeTruthy();
    }
  });
});

describe('the blank template', () => {
  it('has one sheet with valid column ids', () => {
    expect(TEMPLATES.blank).toHaveLength(1);
    for (const column of TEMPLATES.blank[0].columns) expect(column.id).toMatch(COLUMN_ID);
  });
});

describe('default flag reasons', () => {
  it('are the default reason codes', () => {
    expect(DEFAULT_FLAG_REASONS).toEqual([
      'wrong_event_type', 'wrong_actor', 'wrong_date', 'wrong_location', 'duplicate', 'unsupported_by_source',
      'quote_not_verbatim', 'speaker_misattributed', 'out_of_scope', 'missing_required', 'dead_link',
      'codebook_question', 'other',
    ]);
  });
});
