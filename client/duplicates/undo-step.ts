/**
 * A merge of duplicate rows as one step of the merging user's undo where rows are documents of their own
 * (docs/actors-and-duplicates.md#undoing-a-merge): undo asks the server to take the merge back (the merged rows
 * return under their ids, the kept row's cells the merge wrote are set back unless someone changed them
 * since), redo merges again. A step the server refuses (someone else changed a merged row, say) says so.
 */
import { api } from '../api';
import type { ServerStep } from '../paged/undo';
import { toast } from '../ui/dom';

export function mergeStep(datasetId: string, sheetId: string, keep: string, merged: readonly string[]): ServerStep {
  return {
    async back() {
      try {
        const done = await api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/unmerge', { params: { id: datasetId, sheetId }, body: { keep, merge: [...merged] } });
        toast(`Took back the merge: ${done.restored.length} row${done.restored.length === 1 ? '' : 's'} back.`);
        return done.cells + done.restored.length;
      } catch (err) {
        toast(`Could not take back the merge: ${(err as Error).message}`, 'error');
        return 0;
      }
    },
    async again() {
      try {
        const done = await api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/merge', { params: { id: datasetId, sheetId }, body: { keep, merge: [...merged] } });
        toast(`Merged ${done.merged.length} row${done.merged.length === 1 ? '' : 's'} into one again.`);
        return done.filled.length + done.merged.length;
      } catch (err) {
        toast(`Could not merge again: ${(err as Error).message}`, 'error');
        return 0;
      }
    },
  };
}
