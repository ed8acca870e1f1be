import { createHash } from 'node:crypto';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, RepeatedFailure } from './logger';

/** A logger at `info` whose JSON lines are kept, parsed. */
function capture() {
  const lines: Array<Record<string, any>> = [];
  const log = createLogger('info', { write: (line: string) => { lines.push(JSON.parse(line)); } });
  return { log, lines, text: () => JSON.stringify(lines) };
}

describe('errors in the log', () => {
  const token = 'a-token-that-must-not-be-logged-0123';
  const hash = createHash('sha256').update(token).digest('hex');

  it('keep the failed query and the driver\'s reason, not the values it ran with', () => {
    const { log, lines, text } = capture();
    const cause = Object.assign(new Error(`invalid input value "${hash}" for the column`), { code: '22P02' });
    const query = 'select "id" from "users" where "users"."token_hash" = $1 and "users"."role" = $2';
    log.error({ err: new DrizzleQueryError(query, [hash, 'admin', 7], cause) }, 'unhandled error');
    expect(lines[0]!.err).toMatchObject({
      type: 'DrizzleQueryError', query,
      message: `Failed query: ${query}: invalid input value "[redacted]" for the column`,
    });
    expect(lines[0]!.err.params).toBeUndefined();
    expect(lines[0]!.err.stack).toContain(query);
    expect(text()).not.toContain(hash);
  });

  it('of a write with binary values stay one line of text', () => {
    const { log, lines } = capture();
    const update = new Uint8Array(100_000).fill(7);
    log.error({ err: new DrizzleQueryError('insert into "updates" values ($1, $2)', ['d1', update], new Error('disk full')) }, 'storing failed');
    expect(lines[0]!.err.message).toBe('Failed query: insert into "updates" values ($1, $2): disk full');
    expect(JSON.stringify(lines[0]).length).toBeLessThan(5000);
  });

  it('are logged as they are when no query was involved', () => {
    const { log, lines } = capture();
    log.error({ err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) }, 'down');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' });
  });

  it('never carry a field named like a credential', () => {
    const { log, text } = capture();
    log.info({ token, user: { id: 'u1', tokenHash: hash }, authorization: `Bearer ${token}` }, 'careless');
    expect(text()).not.toContain(token);
    expect(text()).not.toContain(hash);
    expect(text()).toContain('u1');
  });
});

describe('a repeated failure', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('is logged when it starts, at most once a minute with a count, and when it works again', () => {
    const { log, lines } = capture();
    const failure = new RepeatedFailure(log, 'reading the thing', { dataset: 'd1' });
    for (let second = 0; second < 130; second += 5) {
      failure.failed(new Error('down'));
      vi.advanceTimersByTime(5000);
    }
    failure.succeeded();
    failure.succeeded();
    expect(lines.map((l) => ({ level: l.level, msg: l.msg, failures: l.failures, failingForMs: l.failingForMs, failedForMs: l.failedForMs }))).toEqual([
      { level: 50, msg: 'reading the thing failed; trying again' },
      { level: 50, msg: 'reading the thing still failing; trying again', failures: 12, failingForMs: 60_000 },
      { level: 50, msg: 'reading the thing still failing; trying again', failures: 12, failingForMs: 120_000 },
      { level: 40, msg: 'reading the thing works again', failures: 26, failedForMs: 130_000 },
    ]);
    expect(lines.every((l) => l.dataset === 'd1')).toBe(true);
    expect(lines[0]!.err).toMatchObject({ message: 'down' });
  });

  it('starts over once it worked again', () => {
    const { log, lines } = capture();
    const failure = new RepeatedFailure(log, 'reading the thing');
    failure.failed(new Error('down'));
    failure.succeeded();
    failure.failed(new Error('down again'));
    expect(lines.map((l) => l.msg)).toEqual([
      'reading the thing failed; trying again', 'reading the thing works again', 'reading the thing failed; trying again',
    ]);
  });
});
