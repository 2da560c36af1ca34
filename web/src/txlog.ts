// The page's transactions: each one's stage (signing → pending → in block → finalized), its
// decoded events, and a failure in words.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Codec } from '@polkadot/types-codec/types';
import type { EventRecord } from '@polkadot/types/interfaces';

import { DispatchFailure, submit, type Finalized, type TxSigner } from '@client/tx.ts';

import { describeDispatchError } from './chain.ts';
import { formatUnits, shortAddress } from './format.ts';
import { Store } from './store.ts';

export type Stage = 'signing' | 'pending' | 'inBlock' | 'finalized' | 'failed';

export interface DecodedEvent {
  name: string;
  fields: Array<{ name: string, value: string, raw: string }>;
}

export interface TxEntry {
  id: number;
  label: string;
  stage: Stage;
  txHash?: string;
  blockHash?: string;
  blockNumber?: number;
  events: DecodedEvent[];
  error?: string;
  startedAt: number;
}

/** Events every extrinsic emits: noise in a trader's log. */
const ROUTINE = new Set(['system.ExtrinsicSuccess', 'system.ExtrinsicFailed', 'balances.Withdraw', 'balances.Deposit', 'treasury.Deposit']);

function fieldText (value: Codec): { value: string, raw: string } {
  const type = value.toRawType();
  const raw = value.toString();
  if (type === 'u128' || type === 'i128') return { value: formatUnits(BigInt(raw), 18, 6), raw };
  if (type === 'AccountId32' || type === 'AccountId') return { value: shortAddress(raw), raw };
  if (type.startsWith('Option<AccountId')) return { value: raw === '' ? 'none' : shortAddress(raw), raw };
  return { value: raw, raw };
}

export function decodeEvent (record: EventRecord): DecodedEvent {
  const { event } = record;
  const names = event.data.names ?? [];
  return {
    name: `${event.section}.${event.method}`,
    fields: event.data.map((value, index) => ({ name: (names[index] ?? String(index)).replace(/_$/, ''), ...fieldText(value) }))
  };
}

export class TxLog {
  readonly entries = new Store<TxEntry[]>([]);
  private next = 1;

  private patch (id: number, change: Partial<TxEntry>): void {
    this.entries.update((entries) => entries.map((entry) => (entry.id === id ? { ...entry, ...change } : entry)));
  }

  /**
   * Signs and submits `tx`, recording each stage. Resolves with the finalized events, or
   * `null` after recording why it failed (the log shows it; callers need not).
   */
  async run (api: ApiPromise, label: string, tx: SubmittableExtrinsic<'promise'>, signer: TxSigner): Promise<Finalized | null> {
    const id = this.next++;
    this.entries.update((entries) => [{ id, label, stage: 'signing' as Stage, events: [], startedAt: Date.now() }, ...entries].slice(0, 50));
    const numberOf = async (blockHash: string): Promise<number> => (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    const visible = (events: EventRecord[]): DecodedEvent[] => events.map(decodeEvent).filter(({ name }) => !ROUTINE.has(name));
    try {
      const finalized = await submit(tx, signer, (progress) => {
        if (progress.stage === 'signing') return;
        if (progress.stage === 'pending') {
          this.patch(id, { stage: 'pending', txHash: progress.txHash });
          return;
        }
        this.patch(id, { stage: progress.stage, txHash: progress.txHash, blockHash: progress.blockHash, events: visible(progress.events) });
        void numberOf(progress.blockHash).then((blockNumber) => this.patch(id, { blockNumber }));
      });
      return finalized;
    } catch (error) {
      if (error instanceof DispatchFailure) {
        const { words } = describeDispatchError(api, error.error);
        this.patch(id, { stage: 'failed', error: words, blockHash: error.blockHash || undefined, events: visible(error.events) });
        if (error.blockHash) void numberOf(error.blockHash).then((blockNumber) => this.patch(id, { blockNumber }));
      } else {
        this.patch(id, { stage: 'failed', error: submissionWords(error) });
      }
      return null;
    }
  }
}

/** A transaction that never reached a block: refused by the wallet or the pool. */
export function submissionWords (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cancelled|Rejected by user|User rejected/i.test(message)) return 'You declined to sign in the wallet.';
  if (/Inability to pay some fees|1010/.test(message)) return 'Not enough FLOOR to pay the transaction fee.';
  if (/Priority is too low|1014/.test(message)) return 'A transaction from this account is already waiting: wait for it to be included.';
  if (/Transaction is outdated|1010.*Stale|stale/i.test(message)) return 'The transaction\'s nonce is outdated: try again.';
  return `Not submitted: ${message}`;
}
