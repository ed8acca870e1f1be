import { describe, expect, it } from 'vitest';
import { isStepOne, STEP_ONE_BURST, StepOneGuard, StepOneLedger, WORK_BURST_MS, WORK_MS_PER_SECOND, WorkBudget } from './step-one-guard';

describe('StepOneGuard', () => {
  it('allows a burst, then one per second', () => {
    let now = 0;
    const guard = new StepOneGuard(() => now);
    for (let i = 0; i < STEP_ONE_BURST; i++) expect(guard.admit()).toBe(true);
    expect(guard.admit()).toBe(false);
    now += 1000;
    expect(guard.admit()).toBe(true);
    expect(guard.admit()).toBe(false);
  });

  it('tells a step 1 from its first two bytes', () => {
    expect(isStepOne(Uint8Array.of(0, 0, 1, 0))).toBe(true);
    expect(isStepOne(Uint8Array.of(0, 1, 1, 0))).toBe(false);
    expect(isStepOne(Uint8Array.of(1, 0))).toBe(false);
    expect(isStepOne(Uint8Array.of(0))).toBe(false);
  });
});

describe('StepOneLedger', () => {
  it('bounds the answers owed per user over every document, until they are settled or their peer is gone', () => {
    const ledger = new StepOneLedger(3, 100);
    const a = ledger.forDocument();
    const b = ledger.forDocument();
    const [p1, p2, p3, p4] = [{}, {}, {}, {}];
    expect(a.take(p1, 'ana')).toBe(true);
    expect(a.take(p1, 'ana')).toBe(true);
    expect(b.take(p2, 'ana')).toBe(true);
    expect(b.take(p3, 'ana')).toBe(false);
    expect(b.take(p4, 'ben')).toBe(true);
    a.settle(p1);
    expect(b.take(p3, 'ana')).toBe(true);
    expect(a.take(p1, 'ana')).toBe(false);
    b.forget(p3);
    expect(ledger.owed('ben')).toBe(1);
    expect(a.take(p1, 'ana')).toBe(true);
    a.forgetAll();
    b.forgetAll();
    expect(a.owed + b.owed).toBe(0);
    expect(ledger.owed('ana')).toBe(0);
  });

  it('bounds the answers one document owes, whoever asks', () => {
    const ledger = new StepOneLedger(100, 2);
    const doc = ledger.forDocument();
    expect(doc.take({}, 'ana')).toBe(true);
    expect(doc.take({}, 'ben')).toBe(true);
    expect(doc.take({}, 'cai')).toBe(false);
    expect(ledger.forDocument().take({}, 'cai')).toBe(true);
  });

  it('settles nothing twice', () => {
    const ledger = new StepOneLedger(100, 100);
    const doc = ledger.forDocument();
    const peer = {};
    doc.take(peer, 'ana');
    doc.forget(peer);
    doc.settle(peer);
    expect(doc.owed).toBe(0);
    expect(ledger.owed('ana')).toBe(0);
  });
});

describe('WorkBudget', () => {
  it('is spent by the time work took and refills with time', () => {
    let now = 0;
    const budget = new WorkBudget(() => now);
    expect(budget.available).toBe(true);
    budget.charge(WORK_BURST_MS + 1);
    expect(budget.available).toBe(false);
    now += (2 * 1000) / WORK_MS_PER_SECOND;
    expect(budget.available).toBe(true);
  });
});
