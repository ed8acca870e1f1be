/**
 * Per-socket limits on sync step 1, the one small message that makes the server send a whole document:
 * a token bucket on how often a socket may ask, and one answer at a time to the same question.
 */

/** Step-1 messages a socket may send in a burst; a stock client sends one per connection. */
export const STEP_ONE_BURST = 10;
/** Step-1 messages a socket may send per second, sustained. */
export const STEP_ONE_PER_SECOND = 1;

export type StepOneVerdict =
  /** Answer it. */
  | 'answer'
  /** The same state vector is being answered and that answer is still queued: it answers this one too. */
  | 'repeat'
  /** Past the rate: close the socket. */
  | 'too-often';

export class StepOneGuard {
  private tokens = STEP_ONE_BURST;
  private refilledAt: number;
  /** The state vector whose answer is still in the socket's queue. */
  private answering: string | null = null;

  constructor(private readonly now: () => number = performance.now.bind(performance)) {
    this.refilledAt = now();
  }

  check(stateVector: Uint8Array): StepOneVerdict {
    const now = this.now();
    this.tokens = Math.min(STEP_ONE_BURST, this.tokens + ((now - this.refilledAt) / 1000) * STEP_ONE_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) return 'too-often';
    this.tokens -= 1;
    return this.answering === key(stateVector) ? 'repeat' : 'answer';
  }

  /** Call when an answer to `stateVector` is queued; the returned callback runs once it has left the queue. */
  answered(stateVector: Uint8Array): () => void {
    const answering = key(stateVector);
    this.answering = answering;
    return () => {
      if (this.answering === answering) this.answering = null;
    };
  }
}

const key = (stateVector: Uint8Array) => Buffer.from(stateVector.buffer, stateVector.byteOffset, stateVector.byteLength).toString('latin1');
