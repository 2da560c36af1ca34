// Follows the best chain block by block and digests each block into what the load generator
// measures: who signed which extrinsic with which nonce, whether it dispatched (and if not,
// why), and how full the block was.
//
// Counting from block contents rather than from submission callbacks makes the figures
// independent of the client's bookkeeping: a transaction the client gave up on still counts
// if a block included it.

import type { ApiPromise } from '@polkadot/api';
import type { GenericExtrinsic } from '@polkadot/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';

import { dispatchErrorName } from '../perp.ts';

/** A signed extrinsic of a block and its dispatch outcome. */
export interface Included {
  signer: string;
  nonce: number;
  /** `section.method`, e.g. `balances.transferKeepAlive`. */
  call: string;
  /** The call's first argument as a number when it is one (the market of a trade). */
  firstArg?: number;
  ok: boolean;
  /** `Section.Name` of the dispatch error when `ok` is false. */
  error?: string;
  /** The ref_time the chain charged (its dispatch info after refunds: call, base and extensions), ps. */
  chargedRefTime: number;
}

export interface BlockRecord {
  number: number;
  hash: string;
  /** The block's `timestamp.set`, in ms. */
  timestamp: number;
  /** Normal-class ref_time used / the normal class's maximum (0..1). */
  fullness: number;
  /** Encoded bytes of all extrinsics / the normal class's maximum length (0..1). */
  lengthFullness: number;
  extrinsics: number;
  signed: Included[];
  /** Local wall-clock time at which the client finished reading the block. */
  seenAt: number;
}

export interface BlockLimits {
  maxNormalRefTime: bigint;
  maxNormalLength: number;
}

export function blockLimits (api: ApiPromise): BlockLimits {
  const weights = api.consts.system.blockWeights;
  const normal = weights.perClass.normal.maxTotal;
  return {
    maxNormalRefTime: (normal.isSome ? normal.unwrap() : weights.maxBlock).refTime.toBigInt(),
    maxNormalLength: api.consts.system.blockLength.max.normal.toNumber()
  };
}

type Listener = (block: BlockRecord) => void;

/** The block's `timestamp.set` in ms; 0 for genesis, which has no extrinsics. */
function timestampOf (extrinsics: GenericExtrinsic[]): number {
  const set = extrinsics.find(({ method }) => method.section === 'timestamp' && method.method === 'set');
  return set === undefined ? 0 : Number(set.method.args[0].toString());
}

interface Outcome {
  /** `undefined` = success, else the dispatch error's name. */
  error: string | undefined;
  /** The ref_time its dispatch info reports, ps. */
  chargedRefTime: number;
}

/** Dispatch outcome of each extrinsic index. */
function outcomesByIndex (api: ApiPromise, events: EventRecord[]): Map<number, Outcome> {
  const outcomes = new Map<number, Outcome>();
  for (const { event, phase } of events) {
    if (!phase.isApplyExtrinsic) continue;
    const index = phase.asApplyExtrinsic.toNumber();
    if (api.events.system.ExtrinsicSuccess.is(event)) {
      outcomes.set(index, { error: undefined, chargedRefTime: Number(event.data[0].weight.refTime.toBigInt()) });
    }
    if (api.events.system.ExtrinsicFailed.is(event)) {
      outcomes.set(index, {
        // The augmented lookup type and the legacy DispatchError decode the same bytes.
        error: dispatchErrorName(api, event.data[0] as unknown as DispatchError),
        chargedRefTime: Number(event.data[1].weight.refTime.toBigInt())
      });
    }
  }
  return outcomes;
}

function numericFirstArg (extrinsic: GenericExtrinsic): number | undefined {
  const first = extrinsic.method.args[0];
  if (first === undefined) return undefined;
  const value = Number(first.toString());
  return Number.isSafeInteger(value) ? value : undefined;
}

export class BlockFollower {
  private readonly listeners: Listener[] = [];
  private lastProcessed: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly timestamps = new Map<number, number>();
  latest: BlockRecord | undefined;

  constructor (private readonly api: ApiPromise, private readonly limits: BlockLimits) {}

  onBlock (listener: Listener): void {
    this.listeners.push(listener);
  }

  async start (): Promise<void> {
    this.unsubscribe = await this.api.rpc.chain.subscribeNewHeads((header) => {
      const number = header.number.toNumber();
      // Serialised: listeners must see blocks once each and in order, even when heads
      // arrive faster than blocks are read.
      this.queue = this.queue
        .then(async () => await this.catchUpTo(number))
        .catch((error: unknown) => { this.failure = error instanceof Error ? error : new Error(String(error)); });
    });
  }

  stop (): void {
    this.unsubscribe?.();
  }

  /** The timestamp of a block this follower read, in ms. */
  timestampOf (number: number): number | undefined {
    return this.timestamps.get(number);
  }

  /** Throws if reading a block failed: every figure after that would be wrong. */
  check (): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves once `count` more blocks have been processed. */
  async waitBlocks (count: number, timeoutMs = 60_000 * count): Promise<void> {
    const target = (this.latest?.number ?? 0) + count;
    const deadline = Date.now() + timeoutMs;
    while ((this.latest?.number ?? 0) < target) {
      this.check();
      if (Date.now() > deadline) throw new Error(`no block #${target} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  private async catchUpTo (number: number): Promise<void> {
    // Start at the first head seen: earlier blocks predate the load.
    let next = this.lastProcessed === undefined ? number : this.lastProcessed + 1;
    for (; next <= number; next++) {
      const record = await this.read(next);
      this.lastProcessed = next;
      this.latest = record;
      this.timestamps.set(next, record.timestamp);
      for (const listener of this.listeners) listener(record);
    }
  }

  private async read (number: number): Promise<BlockRecord> {
    const hash = await this.api.rpc.chain.getBlockHash(number);
    // The known runtime version spares api.at two RPCs per block.
    const [signedBlock, at] = await Promise.all([
      this.api.rpc.chain.getBlock(hash),
      this.api.at(hash, this.api.runtimeVersion)
    ]);
    const [events, weight] = await Promise.all([at.query.system.events(), at.query.system.blockWeight()]);
    const extrinsics = signedBlock.block.extrinsics.toArray();
    const outcomes = outcomesByIndex(this.api, events);
    const signed: Included[] = [];
    let length = 0;
    extrinsics.forEach((extrinsic, index) => {
      length += extrinsic.encodedLength;
      if (!extrinsic.isSigned) return;
      const outcome = outcomes.get(index);
      signed.push({
        signer: extrinsic.signer.toString(),
        nonce: extrinsic.nonce.toNumber(),
        call: `${extrinsic.method.section}.${extrinsic.method.method}`,
        firstArg: numericFirstArg(extrinsic),
        ok: outcome !== undefined && outcome.error === undefined,
        error: outcome === undefined ? 'no dispatch event' : outcome.error,
        chargedRefTime: outcome?.chargedRefTime ?? 0
      });
    });
    return {
      number,
      hash: hash.toHex(),
      timestamp: timestampOf(extrinsics),
      fullness: Number(weight.normal.refTime.toBigInt()) / Number(this.limits.maxNormalRefTime),
      lengthFullness: length / this.limits.maxNormalLength,
      extrinsics: extrinsics.length,
      signed,
      seenAt: Date.now()
    };
  }
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
