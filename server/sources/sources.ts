/** Adding and removing a dataset's sources; the rules of anchors are in `model/anchors.ts`. */
import { createHash } from 'node:crypto';
import { codePointLength } from '../../model/anchors';
import { isHttpUrl } from '../../model/columns';
import { newRowId } from '../../model/ids';
import type { SourceSummary } from '../../model/http';
import { badRequest, conflict, notFound } from '../errors';
import type { NewSourceRecord, SourceRecord, SourceStore } from '../storage';

export interface NewSource {
  title: string;
  text: string;
  url?: string | undefined;
  outlet?: string | undefined;
  publishedAt?: string | undefined;
}

export const toSummary = (s: SourceRecord): SourceSummary => ({
  id: s.id, title: s.title, url: s.url, outlet: s.outlet, publishedAt: s.publishedAt, length: s.length, sha256: s.sha256,
});

/** Stores a new source; its text is kept exactly as given (no normalisation, line ends as sent). */
export async function addSource(store: SourceStore, datasetId: string, input: NewSource, createdBy: string | null): Promise<SourceSummary> {
  const record = sourceRecord(input, createdBy);
  await store.insert(datasetId, record);
  return toSummary(record);
}

/** A new source's record: a new id, its length in code points and the sha256 of its UTF-8 text. */
export function sourceRecord(input: NewSource, createdBy: string | null): NewSourceRecord {
  if (input.text === '') throw badRequest('a source needs text');
  // A lone surrogate cannot be stored as UTF-8: it would come back changed.
  if (/\p{Cs}/u.test(input.text) || /\p{Cs}/u.test(input.title)) throw badRequest('the text is not valid Unicode (a lone surrogate)');
  // The link is shown to everyone who reads the source: any other scheme (javascript:, data:, file:) would
  // run or open something in their browser rather than the article.
  if (input.url !== undefined && !isHttpUrl(input.url)) throw badRequest('url: a source link must start with http:// or https://');
  return {
    id: newRowId(),
    title: input.title,
    url: input.url ?? null,
    outlet: input.outlet ?? null,
    publishedAt: input.publishedAt ?? null,
    length: codePointLength(input.text),
    sha256: createHash('sha256').update(input.text, 'utf8').digest('hex'),
    text: input.text,
    createdBy,
  };
}

/** Removes a source; `409` while a row anchors to it. */
export async function removeSource(store: SourceStore, datasetId: string, sourceId: string): Promise<void> {
  const result = await store.delete(datasetId, sourceId);
  if (result === 'missing') throw notFound(`No source "${sourceId}"`);
  if (result === 'anchored') throw conflict(`Rows anchor to source "${sourceId}": remove their evidence first`);
}
