// Keeps the transaction pool fed for a phase's duration.

import { sleep, type BlockFollower } from './blocks.ts';
import type { PhaseMeter } from './meter.ts';
import type { Submitter } from './senders.ts';

export interface LoadContext {
  submitter: Submitter;
  follower: BlockFollower;
  meter: PhaseMeter;
  durationMs: number;
  /** Fixed cap on our transactions in the pool; adaptive when undefined. */
  inFlight?: number;
}

export interface Budget {
  /** How many of our transactions may wait in the pool. */
  target: number;
  /** Where the filler resumes its round over accounts, so none is favoured. */
  cursor: number;
  /** Submissions per turn before yielding to the event loop (RPC answers, new blocks). */
  batch: number;
  hasRoom: () => boolean;
}

/**
 * Three blocks' worth of what the chain includes per block: enough that the next block never
 * finds the pool empty while the client signs. Not more: every waiting transaction is
 * revalidated after each block, work that competes with block building on a busy machine,
 * and the pool's limit is 8,192 transactions by default. At least 1,000 to start with.
 */
function adaptiveTarget (perBlock: number): number {
  return Math.min(6_000, Math.max(1_000, Math.round(3 * perBlock)));
}

/**
 * One turn over `count` senders from the budget's cursor: `trySend(index)` submits for that
 * sender if it has something due and says whether it did. Stops at the budget's room or
 * batch, and moves the cursor so the next turn starts after the last sender served.
 */
export function roundRobin (budget: Budget, count: number, trySend: (index: number) => boolean): number {
  let sent = 0;
  for (let step = 0; step < count && budget.hasRoom(); step++) {
    const index = (budget.cursor + step) % count;
    if (!trySend(index)) continue;
    sent++;
    if (sent >= budget.batch) {
      budget.cursor = index + 1;
      return sent;
    }
  }
  budget.cursor += 1;
  return sent;
}

/**
 * Calls `fill` until the phase's time is up; `fill` submits what it can within the budget and
 * returns how many it sent. Waits a little when it sent nothing (pool full or nothing due).
 */
export async function pump (context: LoadContext, fill: (budget: Budget) => number, onTick?: () => void): Promise<void> {
  const { submitter, follower, meter } = context;
  const deadline = Date.now() + context.durationMs;
  const budget: Budget = {
    target: 0,
    cursor: 0,
    batch: 32,
    hasRoom: () => submitter.inFlight < budget.target && submitter.canSubmit()
  };
  while (Date.now() < deadline) {
    follower.check();
    budget.target = context.inFlight ?? adaptiveTarget(meter.recentPerBlock());
    onTick?.();
    const sent = fill(budget);
    await sleep(sent > 0 ? 0 : 20);
  }
}
