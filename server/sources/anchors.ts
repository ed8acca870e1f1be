/**
 * The passages rows anchor to in one source, read from the read model (every row's cells, whatever the
 * layout), for the reading pane of a sheet too large to be in the tab (docs/sources.md#on-large-sheets).
 * An anchor is listed from any cell holding a list of anchors, as the pane reads a dataset's document;
 * at most MAX_SOURCE_ANCHORS, `truncated` when there were more.
 */
import { anchorsOf } from '../../model/anchors';
import type { SourceAnchors } from '../../model/http';
import type { Storage } from '../storage';

/** Anchors listed for one source at most (a source is a news article: a few dozen rows anchor to it). */
export const MAX_SOURCE_ANCHORS = 5000;

export async function sourceAnchors({ sources }: Pick<Storage, 'sources'>, datasetId: string, sourceId: string): Promise<SourceAnchors> {
  const anchors: SourceAnchors['anchors'] = [];
  let truncated = false;
  for (const { sheet, row, cells } of await sources.anchoredRows(datasetId, sourceId, MAX_SOURCE_ANCHORS + 1)) {
    for (const value of Object.values(JSON.parse(cells) as Record<string, unknown>)) {
      for (const a of anchorsOf(value)) {
        if (a.source !== sourceId) continue;
        if (anchors.length === MAX_SOURCE_ANCHORS) truncated = true;
        else anchors.push({ sheet, row, start: a.start, end: a.end, exact: a.exact });
      }
    }
  }
  return { anchors, truncated };
}
