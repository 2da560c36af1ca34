// Signs and submits extrinsics, resolving once they are in a finalized block.

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
