import { describe, expect, it } from 'vitest';
import { statusText } from './connection';

describe('the save status text', () => {
  it('says an offline change is waiting only once this browser has kept it', () => {
    expect(statusText({ state: 'offline', pending: 0, unstored: 1 })).toBe('Offline — saving in this browser…');
    expect(statusText({ state: 'offline', pending: 1, unstored: 0 })).toBe('Offline — 1 change waiting');
    expect(statusText({ state: 'reconnecting', pending: 2, unstored: 1 })).toBe('Reconnecting — saving in this browser…');
    expect(statusText({ state: 'reconnecting', pending: 0 })).toBe('Reconnecting');
  });
});
