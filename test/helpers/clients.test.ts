import { afterEach, describe, expect, it } from 'vitest';
import { type Client, connect } from './clients';

/** Nothing listens here: the clients are made without connecting. */
const NOWHERE = { wsUrl: 'ws://127.0.0.1:9/ws', adminToken: 'unused' };

const made: Client[] = [];
afterEach(() => {
  for (const client of made.splice(0)) client.destroy();
});

describe('stock test clients', () => {
  it('add no process exit listener each, so a test file may hold dozens without a MaxListenersExceededWarning', () => {
    const before = process.listenerCount('exit');
    for (let i = 0; i < 25; i++) made.push(connect(NOWHERE, `dataset-${i}`, null, { connect: false }));
    expect(process.listenerCount('exit')).toBe(before);
  });
});
