/**
 * Checks the anchors a client writes into cells before the update is applied: each must name a source
 * of the dataset, and its `exact` must be the source's text at its code-point offsets. Source texts are
 * kept as code-point arrays in a small cache (a text never changes once stored, so an entry is never stale;
 * a deleted source's entry is dropped).
 */
import { anchorProblem, anchorsOf, codePoints } from '../../model/anchors';
import type { SourceStore } from '../storage';
import type { NewCell } from '../sync/update-check';

/** Source texts kept as code points; the least recently used goes first. */
const CACHE_ENTRIES = 16;

export class EvidenceCheck {
  private readonly cache = new Map<string, readonly string[]>();

  constructor(private readonly sources: SourceStore) {}

  /** Why the cells' anchors do not hold for dataset `datasetId`, or null if they all do (or there are none). */
  problem(datasetId: string, cells: readonly NewCell[]): string | null {
    for (const { column, value } of cells) {
      for (const anchor of anchorsOf(value)) {
        const text = this.text(datasetId, anchor.source);
        if (!text) return `${column}: no source "${anchor.source.slice(0, 80)}" in this dataset`;
        const bad = anchorProblem(anchor, text);
        if (bad) return `${column}: ${bad}`;
      }
    }
    return null;
  }

  /** Drops a deleted source from the cache. */
  forget(datasetId: string, sourceId: string): void {
    this.cache.delete(key(datasetId, sourceId));
  }

  private text(datasetId: string, sourceId: string): readonly string[] | undefined {
    const k = key(datasetId, sourceId);
    let points = this.cache.get(k);
    if (points) {
      this.cache.delete(k);
    } else {
      const text = this.sources.text(datasetId, sourceId);
      if (text === undefined) return undefined;
      points = codePoints(text);
      if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(k, points);
    return points;
  }
}

const key = (datasetId: string, sourceId: string) => `${datasetId}\u0000${sourceId}`;
