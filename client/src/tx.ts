// Signs and submits extrinsics, resolving once they are in a finalized block.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord } from '@polkadot/types/interfaces';

export interface Finalized {
  blockHash: string;
  events: EventRecord[];
}

/**
 * Signs `tx` with `signer`, submits it and resolves with its events once the block that
 * includes it is finalized. Rejects if the extrinsic fails to dispatch, is dropped or is
 * invalid.
 */
export async function signAndFinalize (tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<Finalized> {
  return await new Promise((resolveTx, reject) => {
    let unsubscribe: (() => void) | undefined;
    tx.signAndSend(signer, (result) => {
      if (result.dispatchError) {
        unsubscribe?.();
        reject(new Error(`dispatch failed: ${result.dispatchError.toString()}`));
      } else if (result.status.isFinalized) {
        unsubscribe?.();
        resolveTx({ blockHash: result.status.asFinalized.toHex(), events: result.events });
      } else if (result.isError) {
        unsubscribe?.();
        reject(new Error(`transaction not included: ${result.status.type}`));
      }
    }).then((unsub) => { unsubscribe = unsub; }).catch(reject);
  });
}

export interface Observed {
  blockHash: string;
  blockNumber: number;
  record: EventRecord;
}

/**
 * Resolves with the first event matching `matches` in a newly imported block (best chain),
 * or rejects after `timeoutMs`. Nothing needs to be submitted by the caller: this is how a
 * test watches the chain act on its own (offchain workers, hooks).
 */
export async function waitForEvent (
  api: ApiPromise,
  matches: (record: EventRecord) => boolean,
  timeoutMs: number
): Promise<Observed> {
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Observed>((resolveEvent, reject) => {
      timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), timeoutMs);
      api.rpc.chain.subscribeNewHeads((header) => {
        const blockHash = header.hash.toHex();
        api.at(blockHash)
          .then(async (at) => await at.query.system.events())
          .then((events) => {
            const record = events.find(matches);
            if (record !== undefined) resolveEvent({ blockHash, blockNumber: header.number.toNumber(), record });
          })
          .catch(reject);
      }).then((unsub) => { unsubscribe = unsub; }).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    unsubscribe?.();
  }
}
