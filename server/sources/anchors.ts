/**
 * The passages rows anchor to in one source, read from the read model's table of anchors (every row's,
 * whatever the layout, kept by triggers on its rows), for the reading pane of a sheet too large to be in
 * the tab (docs/sources.md#on-large-sheets). An anchor is listed from any cell holding a list of anchors,
 * as the pane reads a dataset's document; at most MAX_SOURCE_ANCHORS, `truncated` when there were more.
 */
import type { SourceAnchors } from '../../model/http';
import type { Storage } from '../storage';

/** Anchors listed for one source at most (a source is a news article: a few dozen rows anchor to it). */
export const MAX_SOURCE_ANCHORS = 5000;

export async function sourceAnchors({ sources }: Pick<Storage, 'sources'>, datasetId: string, sourceId: string): Promise<SourceAnchors> {
  const anchors = await sources.anchors(datasetId, sourceId, MAX_SOURCE_ANCHORS + 1);
  const truncated = anchors.length > MAX_SOURCE_ANCHORS;
  return { anchors: truncated ? anchors.slice(0, MAX_SOURCE_ANCHORS) : anchors, truncated };
}
