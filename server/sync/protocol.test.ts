import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/helpers/random';
import { BadMessageError, awarenessMessage, decodeMessage, syncStep1Message, syncStep2Message, updateMessage } from './protocol';

describe('decodeMessage', () => {
  it('reads back what the encoders write', () => {
    const payload = new Uint8Array([1, 2, 3]);
    expect(decodeMessage(syncStep1Message(payload))).toEqual({ type: 'sync-step-1', stateVector: payload });
    expect(decodeMessage(syncStep2Message(payload))).toEqual({ type: 'update', update: payload });
    expect(decodeMessage(updateMessage(payload))).toEqual({ type: 'update', update: payload });
    expect(decodeMessage(awarenessMessage(payload))).toEqual({ type: 'awareness', update: payload });
    expect(decodeMessage(new Uint8Array([3]))).toEqual({ type: 'query-awareness' });
  });

  it.each([
    ['an empty frame', []],
    ['an unknown message type', [9]],
    ['the auth type, which the server does not take', [2, 0]],
    ['an unknown sync step', [0, 7, 0]],
    ['a sync frame without a step', [0]],
    ['a payload longer than the frame', [0, 2, 50, 1, 2]],
    ['an awareness frame cut short', [1, 10, 1]],
  ])('throws BadMessageError for %s', (_what, bytes) => {
    expect(() => decodeMessage(Uint8Array.from(bytes))).toThrow(BadMessageError);
  });

  it('throws only BadMessageError for random bytes (seed 7)', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const bytes = random.bytes(random.int(0, 40));
      try {
        decodeMessage(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(BadMessageError);
      }
    }
  });

  it('ignores nothing silently: a known type with a varint that never ends is an error', () => {
    const encoder = encoding.createEncoder();
    encoding.writeUint8(encoder, 0);
    encoding.writeUint8(encoder, 0x80);
    expect(() => decodeMessage(encoding.toUint8Array(encoder))).toThrow(BadMessageError);
  });
});
