/** Dataset templates. Column ids are part of the public interface (exports, the API); names and descriptions may change. */
import type { Column } from './columns';
import type { SheetInit } from './document';

export const DATE_PRECISIONS = ['day', 'week', 'month', 'year', 'unknown'];
export const EVENT_TYPES = [
  'AGREE', 'CONSULT', 'SUPPORT', 'CONCEDE', 'COOPERATE', 'AID', 'RETREAT', 'INVESTIGATE', 'DEMAND',
  'DISAPPROVE', 'REJECT', 'THREATEN', 'PROTEST', 'SANCTION', 'MOBILIZE', 'COERCE', 'ASSAULT',
];
export const CONTEXTS = ['political', 'military', 'diplomatic', 'economic', 'legislative', 'cbrn', 'future', 'hypothetical'];

export const DEFAULT_FLAG_REASONS = [
  'wrong_event_type', 'wrong_actor', 'wrong_date', 'wrong_location', 'duplicate', 'unsupported_by_source',
  'quote_not_verbatim', 'speaker_misattributed', 'out_of_scope', 'missing_required', 'dead_link',
  'codebook_question', 'other',
];

const datePrecision: Column = {
  id: 'date_precision', name: 'Date precision', type: 'enum', required: true, options: DATE_PRECISIONS,
  description: 'How exactly the article dates it: day, week, month, year, or unknown.',
};

const iso3 = (id: string, name: string, of: string): Column => ({
  id, name, type: 'text', description: `ISO 3166-1 alpha-3 code of ${of}, e.g. CHN.`,
});

const evidence = (description: string): Column => ({ id: 'evidence', name: 'Evidence', type: 'evidence', description });

const EVENTS: SheetInit = {
  id: 'events',
  name: 'Events',
  columns: [
    { id: 'event_date', name: 'Date', type: 'date', required: true, description: 'When it happened: YYYY-MM-DD, or YYYY-MM / YYYY when the article gives no day.' },
    datePrecision,
    { id: 'actor1', name: 'Actor 1', type: 'text', required: true, description: 'Who acted, e.g. "China (Liu Xiaoming, special envoy)".' },
    iso3('actor1_country', 'Actor 1 country', 'actor 1'),
    { id: 'actor2', name: 'Actor 2', type: 'text', description: 'Towards whom the action was directed, if anyone.' },
    iso3('actor2_country', 'Actor 2 country', 'actor 2'),
    { id: 'event_type', name: 'Event type', type: 'enum', required: true, options: EVENT_TYPES, description: 'PLOVER event type.' },
    { id: 'cameo_code', name: 'CAMEO', type: 'text', description: 'CAMEO code as text, leading zeros kept (036); 04x when only the root is known.' },
    { id: 'context', name: 'Context', type: 'multi', options: CONTEXTS, description: 'PLOVER contexts; pick all that apply.' },
    { id: 'location', name: 'Location', type: 'text', description: 'Place name as written in the article.' },
    iso3('country', 'Country', 'the location'),
    {
      id: 'place', name: 'Place', type: 'place',
      description: 'The location picked from the gazetteer, and how precisely the article places it: 1 the town or city named, 2 near it or within its district, 3 only a region or province, 4 only the country.',
    },
    { id: 'summary', name: 'Summary', type: 'longtext', required: true, description: 'One sentence in your own words.' },
    { id: 'source_url', name: 'Source URL', type: 'url', description: 'Link to the article.' },
    { id: 'source_excerpt', name: 'Source excerpt', type: 'longtext', description: 'The sentence(s) the row is coded from, verbatim.' },
    evidence('The passage(s) of the dataset’s sources the row is coded from.'),
  ],
};

const STATEMENTS: SheetInit = {
  id: 'statements',
  name: 'Statements',
  columns: [
    { id: 'statement_date', name: 'Date', type: 'date', required: true, description: 'When it was said.' },
    datePrecision,
    { id: 'speaker', name: 'Speaker', type: 'text', required: true, description: 'Who said it, by name.' },
    { id: 'speaker_role', name: 'Speaker role', type: 'text', description: 'e.g. special envoy for Korean peninsula affairs.' },
    iso3('speaker_country', 'Speaker country', "the speaker's country"),
    { id: 'addressee', name: 'Addressee', type: 'text', description: 'To whom it was said, if anyone.' },
    { id: 'quote', name: 'Quote', type: 'longtext', required: true, description: 'Verbatim for direct quotes, typographic quotes and all.' },
    { id: 'quote_type', name: 'Quote type', type: 'enum', required: true, options: ['direct', 'indirect', 'paraphrase'], description: 'Direct quote, indirect (reported) speech, or paraphrase.' },
    { id: 'stance', name: 'Stance', type: 'enum', options: ['support', 'oppose', 'neutral', 'ambiguous'], description: "The speaker's stance towards the topic." },
    { id: 'topic', name: 'Topic', type: 'text', description: 'What the statement is about.' },
    { id: 'channel', name: 'Channel', type: 'enum', options: ['meeting', 'interview', 'press_conference', 'written_statement', 'social_media', 'other'], description: 'How it was said.' },
    { id: 'event_id', name: 'Event', type: 'ref', ref: 'events', description: 'The event this statement belongs to, if any.' },
    { id: 'source_url', name: 'Source URL', type: 'url', description: 'Link to the article.' },
    evidence('The passage(s) of the sources the statement is taken from; a direct quote is the exact text of one of them.'),
  ],
};

const BLANK: SheetInit = {
  id: 'sheet1',
  name: 'Sheet 1',
  columns: [{ id: 'notes', name: 'Notes', type: 'text' }],
};

export const TEMPLATES = {
  'events-statements': [EVENTS, STATEMENTS],
  blank: [BLANK],
} as const satisfies Record<string, readonly SheetInit[]>;

export type TemplateId = keyof typeof TEMPLATES;
export const TEMPLATE_IDS = Object.keys(TEMPLATES) as TemplateId[];
