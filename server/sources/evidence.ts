/**
 * Checks the anchors a client writes into cells before the update is applied: each must name a source
 * of the dataset, and its `exact` must be the source's text at its code-point offsets. Source texts are
 * kept indexed by code point in a small cache, bounded by their total length (a text never changes once
 * stored, so an entry is never stale; a deleted source's entry is dropped).
 */
import { anchorProblem, anchorsOf, type IndexedText, indexText } from '../../model/anchors';
import type { SourceStore } from '../storage';
import type { Bus } from '../sync/bus';
import type { NewCell } from '../sync/update-check';

/** Code points of source texts kept indexed (about 6 bytes each); the least recently used go first. */
const CACHE_CODE_POINTS = 8_000_000;

export class EvidenceCheck {
  private readonly cache = new Map<string, IndexedText>();
  private cached = 0;
  /** The texts read for the last check that waited (null: no such source), whether the cache kept them or not. */
  private justRead = new Map<string, IndexedText | null>();

  /** With other instances (`bus`), a source deleted on one is dropped from every instance's cache. */
  constructor(private readonly sources: SourceStore, private readonly bus?: Pick<Bus, 'announce' | 'onEvent'>) {
    bus?.onEvent((event) => {
      if (event.kind === 'source-deleted') this.forgetKey(key(event.datasetId, event.sourceId));
    });
  }

  /**
   * Why the cells' anchors do not hold for dataset `datasetId`, or null if they all do (or there are
   * none). When a text it needs is not in memory it answers a promise instead, which reads the texts;
   * asked again after it settles, it answers from them (the sync engine's `CheckCells`).
   */
  problem(datasetId: string, cells: readonly NewCell[]): string | null | Promise<void> {
    const missing = new Set<string>();
    for (const { value } of cells) {
      for (const anchor of anchorsOf(value)) if (this.known(datasetId, anchor.source) === undefined) missing.add(anchor.source);
    }
    if (missing.size > 0) return this.read(datasetId, [...missing]);
    try {
      return this.answer(datasetId, cells);
    } finally {
      // Read for this check only: a source added later must not stay "missing".
      this.justRead = new Map();
    }
  }

  private answer(datasetId: string, cells: readonly NewCell[]): string | null {
    for (const { column, value } of cells) {
      for (const anchor of anchorsOf(value)) {
        const text = this.known(datasetId, anchor.source);
        if (!text) return `${column}: no source "${anchor.source.slice(0, 80)}" in this dataset`;
        const bad = anchorProblem(anchor, text);
        if (bad) return `${column}: ${bad}`;
      }
    }
    return null;
  }

  /** `problem`, waiting for the texts it reads. */
  async problemOf(datasetId: string, cells: readonly NewCell[]): Promise<string | null> {
    const answer = this.problem(datasetId, cells);
    if (!(answer instanceof Promise)) return answer;
    await answer;
    return this.problem(datasetId, cells) as string | null;
  }

  /** A text as far as memory knows it: indexed, null when there is no such source, undefined when not read. */
  private known(datasetId: string, sourceId: string): IndexedText | null | undefined {
    const k = key(datasetId, sourceId);
    const cached = this.cache.get(k);
    if (cached) {
      // Most recently used last.
      this.cache.delete(k);
      this.cache.set(k, cached);
      return cached;
    }
    return this.justRead.get(k);
  }

  private async read(datasetId: string, sourceIds: readonly string[]): Promise<void> {
    const read = new Map<string, IndexedText | null>();
    for (const sourceId of sourceIds) {
      const text = await this.sources.text(datasetId, sourceId);
      const indexed = text === undefined ? null : indexText(text);
      read.set(key(datasetId, sourceId), indexed);
      if (indexed) this.keep(key(datasetId, sourceId), indexed);
    }
    this.justRead = read;
  }

  /** Drops a deleted source from the cache. */
  forget(datasetId: string, sourceId: string): void {
    this.bus?.announce({ kind: 'source-deleted', datasetId, sourceId });
    this.forgetKey(key(datasetId, sourceId));
  }

  /** Keeps a text in the cache, dropping the least recently used past its bound. */
  private keep(k: string, indexed: IndexedText): void {
    // A text larger than the whole cache is used once and not kept.
    if (indexed.length > CACHE_CODE_POINTS) return;
    this.forgetKey(k);
    this.cache.set(k, indexed);
    this.cached += indexed.length;
    for (const [oldest, entry] of this.cache) {
      if (this.cached <= CACHE_CODE_POINTS) break;
      this.cache.delete(oldest);
      this.cached -= entry.length;
    }
  }

  private forgetKey(k: string): void {
    this.cached -= this.cache.get(k)?.length ?? 0;
    this.cache.delete(k);
    this.justRead.delete(k);
  }
}

const key = (datasetId: string, sourceId: string) => `${datasetId}\u0000${sourceId}`;
