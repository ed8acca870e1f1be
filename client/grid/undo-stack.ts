/**
 * This user's undo in a dataset's document, in the order they made their steps: the undo manager's (their
 * own edits, client/sync/connection.ts) and steps the server takes back and makes again (a merge of
 * duplicate rows, client/duplicates/undo-step.ts; docs/actors-and-duplicates.md#undoing-a-merge). Ctrl+Z takes back
 * the last step whichever it is; a new step of either kind drops what was undone.
 *
 * The undo manager keeps its own stacks and may drop a step of them (one with nothing left to take back, as
 * when the rows it changed are gone): its steps here are those it still has.
 */
import type * as Y from 'yjs';
import type { ServerStep } from '../paged/undo';

/** An undo manager's stack item, or a step of the server's. */
type Step = object;

const isServerStep = (step: Step): step is ServerStep => 'back' in step && 'again' in step;

export class UndoStack {
  private done: Step[] = [];
  private undone: Step[] = [];
  private busy: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly manager: Y.UndoManager) {
    manager.on('stack-item-added', ({ stackItem, type, origin }) => {
      if (type === 'redo') {
        this.undone.push(stackItem);
      } else {
        // A step made again comes from the manager itself; any other is a new edit, after which nothing is redone.
        if (origin !== manager) this.undone = [];
        this.done.push(stackItem);
      }
      this.emit();
    });
    manager.on('stack-item-popped', () => this.emit());
    manager.on('stack-cleared', () => this.emit());
  }

  /** Records a step the server takes back: the next undo takes it back, and an edit after it is a step of its own. */
  record(step: ServerStep): void {
    this.manager.stopCapturing();
    this.manager.clear(false, true);
    this.done.push(step);
    this.undone = [];
    this.emit();
  }

  canUndo(): boolean {
    return this.kept().done.length > 0;
  }

  canRedo(): boolean {
    return this.kept().undone.length > 0;
  }

  /** Takes back the last step; resolves once it is taken back (a server's step once the server answered). */
  undo(): Promise<void> {
    return this.queue(async () => {
      const top = this.kept().done.at(-1);
      if (!top) return;
      if (!isServerStep(top)) {
        this.manager.undo();
        return;
      }
      this.done.pop();
      this.undone.push(top);
      this.emit();
      await top.back();
    });
  }

  redo(): Promise<void> {
    return this.queue(async () => {
      const top = this.kept().undone.at(-1);
      if (!top) return;
      if (!isServerStep(top)) {
        this.manager.redo();
        return;
      }
      this.undone.pop();
      this.done.push(top);
      this.emit();
      await top.again();
    });
  }

  /** Called when what can be undone or redone changed; returns how to stop. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The steps, without those the undo manager no longer has. */
  private kept(): this {
    const { undoStack, redoStack } = this.manager;
    this.done = this.done.filter((s) => isServerStep(s) || undoStack.includes(s as Y.UndoManager['undoStack'][number]));
    this.undone = this.undone.filter((s) => isServerStep(s) || redoStack.includes(s as Y.UndoManager['redoStack'][number]));
    return this;
  }

  private queue(run: () => Promise<void>): Promise<void> {
    const next = this.busy.then(run, run);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
