// Phase 1: plain balance transfers between the load accounts.

import type { ApiPromise } from '@polkadot/api';

import { MILLI } from '../perp.ts';
import type { Included } from './blocks.ts';
import { pump, roundRobin, type LoadContext } from './pump.ts';
import type { Sender } from './senders.ts';

export function isTransfer (loadAddresses: Set<string>): (item: Included) => boolean {
  return (item) => item.call === 'balances.transferKeepAlive' && loadAddresses.has(item.signer);
}

/**
 * Each account sends 0.001 FLOOR (plus a counter in the last digits, so no two transactions
 * share a hash and the pool never mistakes one for a resubmission) to the next account, with
 * as many transactions waiting in the pool per account as the in-flight target needs.
 */
export async function runTransfers (api: ApiPromise, context: LoadContext, senders: Sender[]): Promise<void> {
  let counter = 0n;
  await pump(context, (budget) => {
    const depth = Math.min(64, Math.ceil(budget.target / senders.length) + 1);
    return roundRobin(budget, senders.length, (index) => {
      const sender = senders[index];
      if (sender.pending.size >= depth) return false;
      const destination = senders[(index + 1) % senders.length].address;
      context.submitter.send(sender, api.tx.balances.transferKeepAlive(destination, MILLI + counter++));
      return true;
    });
  });
}
