// Phase 2: perp trades. Every (account, market) pair cycles open long → close → open short →
// close with small isolated positions.
//
// The sandwich guard allows one position change per account and market per block, so a pair
// has at most one trade waiting: its next trade is signed only after a block included the
// previous one, and therefore lands in a later block. Several markets multiply what one
// account can trade per block.

import type { ApiPromise } from '@polkadot/api';

import { UNIT, type Side } from '../perp.ts';
import type { Included } from './blocks.ts';
import { pump, roundRobin, type LoadContext } from './pump.ts';
import type { Outcome, Sender } from './senders.ts';
import { feedCall, type LoadMarket } from './setup.ts';

/** 1 FLOOR of margin at 2x: notional 2, far below any cap, fee 0.006. */
const MARGIN = UNIT;
const LEVERAGE = 2n * UNIT;

type Position = 'none' | Side;

interface Slot {
  sender: Sender;
  market: number;
  position: Position;
  /** The side of the next opening trade: alternates so the markets' net size stays near 0. */
  nextSide: Side;
  busy: boolean;
}

export function isTrade (loadAddresses: Set<string>): (item: Included) => boolean {
  return (item) => (item.call === 'perp.openPosition' || item.call === 'perp.closePosition') && loadAddresses.has(item.signer);
}

function opposite (side: Side): Side {
  return side === 'Long' ? 'Short' : 'Long';
}

function slots (senders: Sender[], markets: LoadMarket[]): Slot[] {
  return senders.flatMap((sender, account) => markets.map(({ id }, market) => ({
    sender,
    market: id,
    position: 'none' as Position,
    // Half the pairs start long, half short: the first block does not push every mark one way.
    nextSide: (account + market) % 2 === 0 ? 'Long' as Side : 'Short' as Side,
    busy: false
  })));
}

/** What the pair's trade did to its position, from the block's verdict. */
function settleTrade (slot: Slot, opening: Side | undefined, outcome: Outcome): void {
  slot.busy = false;
  if (outcome.kind !== 'included') return;
  if (outcome.ok) {
    if (opening !== undefined) {
      slot.position = opening;
      slot.nextSide = opposite(opening);
    } else {
      slot.position = 'none';
    }
  } else if (outcome.error === 'perp.NoPosition') {
    // Our record was wrong (a trade we gave up on was included after all): trust the chain.
    slot.position = 'none';
  }
}

export interface OracleKeeper {
  alice: Sender;
  markets: LoadMarket[];
  /** Re-feed this often, well inside the markets' `max_oracle_age`. */
  everyMs: number;
  /** Feeds that failed, by reason (a stale index would turn into `perp.OracleStale` trades). */
  failures: Map<string, number>;
}

export async function runTrades (
  api: ApiPromise,
  context: LoadContext,
  senders: Sender[],
  markets: LoadMarket[],
  oracle: OracleKeeper
): Promise<void> {
  const pairs = slots(senders, markets);
  let lastFeed = 0;
  const keepIndexFresh = (): void => {
    if (Date.now() - lastFeed < oracle.everyMs) return;
    lastFeed = Date.now();
    context.submitter.send(oracle.alice, feedCall(api, oracle.markets), (outcome) => {
      if (outcome.kind === 'included' && outcome.ok) return;
      const reason = outcome.kind === 'included' ? outcome.error ?? 'failed' : outcome.reason;
      oracle.failures.set(reason, (oracle.failures.get(reason) ?? 0) + 1);
    });
  };

  await pump(context, (budget) => roundRobin(budget, pairs.length, (index) => {
    const slot = pairs[index];
    if (slot.busy) return false;
    slot.busy = true;
    const opening = slot.position === 'none' ? slot.nextSide : undefined;
    const call = opening !== undefined
      ? api.tx.perp.openPosition(slot.market, opening, MARGIN, LEVERAGE, true, 0)
      : api.tx.perp.closePosition(slot.market, 0);
    context.submitter.send(slot.sender, call, (outcome) => settleTrade(slot, opening, outcome));
    return true;
  }), keepIndexFresh);
}
