/**
 * Checks the anchors a client writes into cells before the update is applied: each must name a source
 * of the dataset, and its `exact` must be the source's text at its code-point offsets. Source texts are
 * kept indexed by code point in a small cache, bounded by their total length (a text never changes once
 * stored, so an entry is never stale; a deleted source's entry is dropped).
 */
import { anchorProblem, anchorsOf, type IndexedText, indexText } from '../../model/anchors';
import type { SourceStore } from '../storage';
import type { NewCell } from '../sync/update-check';

/** Code points of source texts kept indexed (about 6 bytes each); the least recently used go first. */
const CACHE_CODE_POINTS = 8_000_000;

export class EvidenceCheck {
  private readonly cache = new Map<string, IndexedText>();
  private cached = 0;

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
    const k = key(datasetId, sourceId);
    this.cached -= this.cache.get(k)?.length ?? 0;
    this.cache.delete(k);
  }

  private text(datasetId: string, sourceId: string): IndexedText | undefined {
    const k = key(datasetId, sourceId);
    let indexed = this.cache.get(k);
    if (indexed) {
      this.cache.delete(k);
    } else {
      const text = this.sources.text(datasetId, sourceId);
      if (text === undefined) return undefined;
      indexed = indexText(text);
      this.cached += indexed.length;
      for (const [oldest, entry] of this.cache) {
        if (this.cached <= CACHE_CODE_POINTS) break;
        this.cache.delete(oldest);
        this.cached -= entry.length;
      }
    }
    // A text larger than the whole cache is used once and not kept.
    if (indexed.length <= CACHE_CODE_POINTS) this.cache.set(k, indexed);
    else this.cached -= indexed.length;
    return indexed;
  }
}

const key = (datasetId: string, sourceId: string) => `${datasetId}\u0000${sourceId}`;
