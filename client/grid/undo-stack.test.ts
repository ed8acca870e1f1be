import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ServerStep } from '../paged/undo';
import { UndoStack } from './undo-stack';

const ME = { me: true };

function setUp() {
  const doc = new Y.Doc();
  const cells = doc.getMap<string>('sheets');
  const manager = new Y.UndoManager(cells, { trackedOrigins: new Set([ME]), captureTimeout: 400 });
  const stack = new UndoStack(manager);
  const calls: string[] = [];
  const edit = (key: string, value: string) => doc.transact(() => cells.set(key, value), ME);
  const step: ServerStep = {
    back: async () => (calls.push('back'), 1),
    again: async () => (calls.push('again'), 1),
  };
  return { cells, manager, stack, calls, edit, step };
}

describe('UndoStack', () => {
  it('takes back edits and a server step in the order they were made, and makes them again in order', async () => {
    const { cells, stack, calls, edit, step } = setUp();
    edit('a', '1');
    stack.record(step);
    // Within the undo manager's capture time: still a step of its own after the server's.
    edit('b', '2');
    expect(stack.canUndo()).toBe(true);

    await stack.undo();
    expect([cells.get('a'), cells.get('b'), calls]).toEqual(['1', undefined, []]);
    await stack.undo();
    expect([cells.get('a'), calls]).toEqual(['1', ['back']]);
    await stack.undo();
    expect([cells.get('a'), stack.canUndo()]).toEqual([undefined, false]);

    await stack.redo();
    expect([cells.get('a'), calls]).toEqual(['1', ['back']]);
    await stack.redo();
    expect(calls).toEqual(['back', 'again']);
    await stack.redo();
    expect([cells.get('b'), stack.canRedo()]).toEqual(['2', false]);
  });

  it('drops what was undone at a new edit or a new server step', async () => {
    const { stack, calls, edit, step, manager } = setUp();
    stack.record(step);
    edit('a', '1');
    await stack.undo();
    await stack.undo();
    expect(calls).toEqual(['back']);
    expect(stack.canRedo()).toBe(true);
    edit('b', '2');
    expect(stack.canRedo()).toBe(false);

    await stack.undo();
    expect(manager.canRedo()).toBe(true);
    stack.record(step);
    expect([stack.canRedo(), manager.canRedo()]).toEqual([false, false]);
  });

  it('tells its listeners when what can be undone changes', async () => {
    const { stack, edit, step } = setUp();
    let told = 0;
    stack.onChange(() => told++);
    edit('a', '1');
    stack.record(step);
    await stack.undo();
    expect(told).toBeGreaterThanOrEqual(3);
  });
});
