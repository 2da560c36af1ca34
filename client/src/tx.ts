// Signs and submits extrinsics, reporting each status change, and resolving once they are in
// a finalized block. Shared by the end-to-end tests and the trading page (web/), so the page
// submits exactly as the tests that prove the chain's numbers do.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import type { ISubmittableResult, Signer } from '@polkadot/types/types';

export interface Finalized {
  blockHash: string;
  events: EventRecord[];
}

/** A keypair held by the caller, or an address whose wallet (a browser extension) signs. */
export type TxSigner = KeyringPair | { address: string, signer: Signer };

/** Where a submitted transaction is; `inBlock` and `finalized` carry its block and events. */
export type TxProgress =
  | { stage: 'signing' }
  | { stage: 'pending', txHash: string }
  | { stage: 'inBlock', txHash: string, blockHash: string, events: EventRecord[] }
  | { stage: 'finalized', txHash: string, blockHash: string, events: EventRecord[] };

/** A transaction that was included but failed to dispatch, with the chain's error. */
export class DispatchFailure extends Error {
  constructor (readonly error: DispatchError, readonly blockHash: string, readonly events: EventRecord[], message: string) {
    super(message);
    this.name = 'DispatchFailure';
  }
}

function isKeyringPair (signer: TxSigner): signer is KeyringPair {
  return 'sign' in signer && typeof signer.sign === 'function';
}

/**
 * Signs `tx` with `signer`, submits it, calls `onProgress` at each stage and resolves with
 * its events once the block that includes it is finalized. Rejects with a `DispatchFailure`
 * if it fails to dispatch (as soon as its block is known), or with an `Error` if it is
 * dropped, invalid or the wallet refuses to sign.
 */
export async function submit (
  tx: SubmittableExtrinsic<'promise'>,
  signer: TxSigner,
  onProgress: (progress: TxProgress) => void = () => {}
): Promise<Finalized> {
  return await new Promise((resolveTx, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const finish = (action: () => void): void => {
      done = true;
      unsubscribe?.();
      action();
    };
    onProgress({ stage: 'signing' });
    const callback = (result: ISubmittableResult): void => {
      if (done) return;
      const txHash = result.txHash.toHex();
      if (result.dispatchError) {
        const blockHash = result.status.isInBlock ? result.status.asInBlock.toHex() : result.status.isFinalized ? result.status.asFinalized.toHex() : '';
        finish(() => reject(new DispatchFailure(result.dispatchError!, blockHash, result.events, `dispatch failed: ${result.dispatchError!.toString()}`)));
      } else if (result.status.isFinalized) {
        const blockHash = result.status.asFinalized.toHex();
        onProgress({ stage: 'finalized', txHash, blockHash, events: result.events });
        finish(() => resolveTx({ blockHash, events: result.events }));
      } else if (result.status.isInBlock) {
        onProgress({ stage: 'inBlock', txHash, blockHash: result.status.asInBlock.toHex(), events: result.events });
      } else if (result.isError) {
        finish(() => reject(new Error(`transaction not included: ${result.status.type}`)));
      } else {
        onProgress({ stage: 'pending', txHash });
      }
    };
    const sent = isKeyringPair(signer)
      ? tx.signAndSend(signer, callback)
      : tx.signAndSend(signer.address, { signer: signer.signer }, callback);
    sent.then((unsub) => {
      if (done) unsub(); else unsubscribe = unsub;
    }).catch((error: unknown) => finish(() => reject(error)));
  });
}

/**
 * Signs `tx` with `signer`, submits it and resolves with its events once the block that
 * includes it is finalized. Rejects if the extrinsic fails to dispatch, is dropped or is
 * invalid.
 */
export async function signAndFinalize (tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<Finalized> {
  return await submit(tx, signer);
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
  let timer: ReturnType<typeof setTimeout> | undefined;
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
