import { describe, expect, it } from 'vitest';
import { databaseUnavailable } from './unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('databaseUnavailable', () => {
  it('is true for a refused or broken connection, also when the ORM wrapped it', () => {
    expect(databaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(databaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(databaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(databaseUnavailable(new Error('Failed query: select 1', { cause: withCode('terminating connection due to administrator command', '57P01') }))).toBe(true);
    expect(databaseUnavailable(new AggregateError([withCode('refused', 'ECONNREFUSED'), withCode('refused', 'ECONNREFUSED')]))).toBe(true);
  });

  it('is false for a fault of the query or the data, which stays a 500', () => {
    expect(databaseUnavailable(new Error('Failed query: selec 1', { cause: withCode('syntax error at or near "selec"', '42601') }))).toBe(false);
    expect(databaseUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(databaseUnavailable(new TypeError('Cannot read properties of undefined'))).toBe(false);
    expect(databaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
