/** A room's answers to sync step 1, against a fake room: shared answers, whole reads, a failing store, bad questions. */
import * as Y from 'yjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { createLogger } from '../logger';
import { BadMessageError } from './protocol';
import { type AnsweredPeer, type AnsweredRoom, StepOneAnswers } from './step-one-answers';
import { StepOneLedger } from './step-one-guard';

class TestPeer implements AnsweredPeer {
  readonly sent: Uint8Array[][] = [[]];
  closed: number | null = null;
  backlogged = false;
  constructor(readonly userId: string) {}
  /** Messages are grouped by answer: an answer ends with the message that has `onWritten`. */
  send(message: Uint8Array, onWritten?: () => void): void {
    this.sent.at(-1)!.push(message);
    if (onWritten) {
      this.sent.push([]);
      onWritten();
    }
  }
  close(code: number): void {
    this.closed = code;
  }
  get answers(): Uint8Array[][] {
    return this.sent.slice(0, -1);
  }
}

const message = (...bytes: number[]) => new Uint8Array(bytes);

/** A promise and the function that resolves it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

class FakeRoom implements AnsweredRoom<TestPeer> {
  ours = new Map([[1, 10], [2, 4]]);
  cold: Uint8Array[] | null = null;
  failing = false;
  readonly peers = new Set<TestPeer>();
  readonly diffs: Array<Map<number, number>> = [];
  encoded = 0;
  readonly reads: Array<ReturnType<typeof deferred<Uint8Array[]>>> = [];

  stateVector() {
    return this.ours;
  }
  diff(stateVector: Uint8Array) {
    this.diffs.push(Y.decodeStateVector(stateVector));
    return [message(this.diffs.length)];
  }
  coldWhole() {
    return this.cold;
  }
  storeFailing() {
    return this.failing;
  }
  encodeWhole() {
    this.encoded += 1;
    return [message(200 + this.encoded)];
  }
  readWhole() {
    const read = deferred<Uint8Array[]>();
    this.reads.push(read);
    return read.promise;
  }
  has(peer: TestPeer) {
    return this.peers.has(peer);
  }
}

describe('answers to sync step 1', () => {
  let room: FakeRoom;
  let answers: StepOneAnswers<TestPeer>;

  beforeEach(() => {
    room = new FakeRoom();
    answers = new StepOneAnswers(room, { id: 'd1', log: createLogger('silent'), ledger: new StepOneLedger() });
  });

  const peer = (name: string) => {
    const p = new TestPeer(name);
    room.peers.add(p);
    answers.join(p);
    return p;
  };
  const ask = (p: TestPeer, known: Map<number, number>) => {
    expect(answers.admit(p)).toBe(true);
    answers.answer(p, Y.encodeStateVector(known));
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('makes one answer for everyone who knows the same part of the document, until it changes', () => {
    const [ana, ben, cy] = [peer('ana'), peer('ben'), peer('cy')];
    ask(ana, new Map([[1, 5]]));
    // A client of its own the document has not seen, and a clock past the document's, ask nothing more.
    ask(ben, new Map([[1, 5], [999, 3]]));
    ask(cy, new Map([[1, 5], [2, 0]]));
    expect(room.diffs).toEqual([new Map([[1, 5]])]);
    expect([ana.answers, ben.answers, cy.answers]).toEqual([[[message(1)]], [[message(1)]], [[message(1)]]]);
    // Clocks past the document's are what the document has.
    const [dan, eli] = [peer('dan'), peer('eli')];
    ask(dan, new Map([[1, 50], [2, 4]]));
    ask(eli, new Map([[1, 10], [2, 9]]));
    expect(room.diffs).toEqual([new Map([[1, 5]]), new Map([[1, 10], [2, 4]])]);
    expect(eli.answers).toEqual(dan.answers);

    answers.changed();
    ask(ana, new Map([[1, 5]]));
    expect(room.diffs).toHaveLength(3);
    expect(ana.answers.at(-1)).toEqual([message(3)]);
  });

  it('gives a client that knows nothing the cold document as stored, without computing anything', () => {
    room.cold = [message(7), message(8)];
    const ana = peer('ana');
    ask(ana, new Map());
    expect(ana.answers).toEqual([[message(7), message(8)]]);
    expect(room.diffs).toEqual([]);
  });

  it('reads a hot document back once for everyone who joined before the read began; who joins after waits for the next', async () => {
    const [ana, ben] = [peer('ana'), peer('ben')];
    ask(ana, new Map());
    await settle();
    expect(room.reads).toHaveLength(1);
    // Ben joined before the read began, and asks while it runs: it covers him.
    ask(ben, new Map());
    await settle();
    expect(room.reads).toHaveLength(1);

    answers.changed(); // an edit: Cy and Dee join after it, the read under way may not have it
    const [cy, dee] = [peer('cy'), peer('dee')];
    ask(cy, new Map());
    ask(dee, new Map());
    room.reads[0]!.resolve([message(1)]);
    await settle();
    expect([ana.answers, ben.answers]).toEqual([[[message(1)]], [[message(1)]]]);
    expect(cy.answers).toEqual([]);
    await settle();
    expect(room.reads).toHaveLength(2);
    room.reads[1]!.resolve([message(2)]);
    await settle();
    expect([cy.answers, dee.answers]).toEqual([[[message(2)]], [[message(2)]]]);

    // Kept until the document changes.
    const eve = peer('eve');
    ask(eve, new Map());
    expect(eve.answers).toEqual([[message(2)]]);
    expect(room.reads).toHaveLength(2);
  });

  it('while the store fails encodes the whole document from memory, once until it changes', () => {
    room.failing = true;
    const [ana, ben] = [peer('ana'), peer('ben')];
    ask(ana, new Map());
    ask(ben, new Map());
    expect(room.encoded).toBe(1);
    expect(room.reads).toEqual([]);
    expect(ben.answers).toEqual([[message(201)]]);
  });

  it('does not answer a question again while its answer is queued, and closes a peer that is not reading', async () => {
    const ana = peer('ana');
    ask(ana, new Map());
    ask(ana, new Map());
    await settle();
    room.reads[0]!.resolve([message(1)]);
    await settle();
    expect(ana.answers).toEqual([[message(1)]]);

    const ben = peer('ben');
    ben.backlogged = true;
    ask(ben, new Map([[1, 5]]));
    expect(ben.closed).toBe(CloseCode.TryAgainLater);
    expect(room.diffs).toEqual([]);
  });

  it('sends nothing to a peer that left before its answer was read', async () => {
    const ana = peer('ana');
    ask(ana, new Map());
    room.peers.delete(ana);
    answers.forget(ana);
    await settle();
    room.reads[0]!.resolve([message(1)]);
    await settle();
    expect(ana.sent).toEqual([[]]);
  });

  it('refuses a state vector that does not decode, or names too many clients the document lacks', () => {
    const ana = peer('ana');
    expect(() => answers.answer(ana, message(5, 1))).toThrow(BadMessageError);
    const many = new Map(Array.from({ length: 40_000 }, (_, i) => [1000 + i, 1] as [number, number]));
    expect(() => answers.answer(ana, Y.encodeStateVector(many))).toThrow(/too large/);
  });
});
