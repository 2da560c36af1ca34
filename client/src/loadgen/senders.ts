// Signs and submits transactions without waiting for them, tracking every account's nonces
// locally so that many transactions per account can wait in the pool at once.
//
// `author_submitExtrinsic` returns once the pool has validated the transaction, so the rate
// at which submissions are answered is the rate at which the node accepts transactions: the
// figure that tells whether the client (or the pool's validation) or the block is the
// bottleneck.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';

import type { BlockFollower, BlockRecord, Included } from './blocks.ts';

export type Outcome =
  | { kind: 'included', block: number, ok: boolean, error?: string }
  | { kind: 'refused', reason: string }
  | { kind: 'dropped', reason: string };

type Settle = (outcome: Outcome) => void;

interface Pending {
  settle?: Settle;
}

/** Blocks without any of an account's waiting transactions included before we ask the pool. */
const STALL_BLOCKS = 4;

/** One signing account: its next nonce, nonces to reuse, and transactions awaiting inclusion. */
export class Sender {
  readonly address: string;
  readonly pending = new Map<number, Pending>();
  /** Nonces whose transaction the pool refused: the next transactions must fill them. */
  private gaps: number[] = [];
  private nextNonce: number;
  lastProgressBlock = 0;
  resyncing = false;

  constructor (readonly pair: KeyringPair, firstNonce: number) {
    this.address = pair.address;
    this.nextNonce = firstNonce;
  }

  /** The nonce a fresh transaction would get (gaps aside). */
  get upcomingNonce (): number {
    return this.nextNonce;
  }

  takeNonce (): number {
    const gap = this.gaps.shift();
    if (gap !== undefined) return gap;
    return this.nextNonce++;
  }

  /** The pool refused the transaction at `nonce` without using the nonce up. */
  returnNonce (nonce: number): void {
    this.gaps.push(nonce);
    this.gaps.sort((a, b) => a - b);
  }

  /** A block included our transaction at `nonce`: everything before it is settled too. */
  included (item: Included, block: number): void {
    this.lastProgressBlock = block;
    for (const [nonce, pending] of this.pending) {
      if (nonce > item.nonce) continue;
      this.pending.delete(nonce);
      pending.settle?.(nonce === item.nonce
        ? { kind: 'included', block, ok: item.ok, error: item.error }
        : { kind: 'dropped', reason: 'superseded' });
    }
    // Someone else (an earlier run, another tool) may have used this account's nonces.
    if (item.nonce >= this.nextNonce) this.nextNonce = item.nonce + 1;
    this.gaps = this.gaps.filter((gap) => gap > item.nonce);
  }

  /**
   * Realigns with the pool after transactions vanished from it: `poolNext` is the nonce after
   * the chain's and the pool's ready transactions. Anything we still wait for at or above it
   * is not going to be included.
   */
  resync (poolNext: number, block: number): number {
    let dropped = 0;
    for (const [nonce, pending] of this.pending) {
      if (nonce < poolNext) continue;
      this.pending.delete(nonce);
      pending.settle?.({ kind: 'dropped', reason: 'vanished from the pool' });
      dropped++;
    }
    this.nextNonce = poolNext;
    this.gaps = [];
    this.lastProgressBlock = block;
    return dropped;
  }
}

/** Refusals that mean the nonce is taken (by the chain or by a transaction in the pool). */
function nonceUsedUp (message: string): boolean {
  return /outdated|stale|priority is too low|already imported/i.test(message);
}

/** Refusals that mean the chain is past our nonces: someone else signs for this account too. */
function nonceBehindChain (message: string): boolean {
  return /outdated|stale/i.test(message);
}

/** `1010: Invalid Transaction: Transaction is outdated` → `Invalid Transaction: Transaction is outdated`. */
function refusalReason (message: string): string {
  return message.replace(/^\d+:\s*/, '').replace(/\(.*\)$/, '').trim();
}

export class Submitter {
  /** Transactions the pool accepted. */
  accepted = 0;
  /** Transactions the pool refused, by reason. */
  readonly refused = new Map<string, number>();
  /** Transactions given up on after they vanished from the pool. */
  dropped = 0;
  /** Submissions whose RPC answer is outstanding. */
  outstanding = 0;
  /** Our transactions waiting for a block (accepted or still being submitted). */
  inFlight = 0;
  private readonly senders = new Map<string, Sender>();
  private lastBlock = 0;

  /**
   * @param maxOutstanding RPC submissions in progress at once: enough to keep the node's
   *   validation busy without flooding the WebSocket.
   */
  constructor (private readonly api: ApiPromise, follower: BlockFollower, private readonly maxOutstanding = 256) {
    follower.onBlock((block) => this.onBlock(block));
  }

  register (sender: Sender): Sender {
    this.senders.set(sender.address, sender);
    return sender;
  }

  /** A sender for `pair` starting at the nonce after its chain and pool transactions. */
  async sender (pair: KeyringPair): Promise<Sender> {
    const existing = this.senders.get(pair.address);
    if (existing !== undefined) return existing;
    const next = await this.api.rpc.system.accountNextIndex(pair.address);
    return this.register(new Sender(pair, next.toNumber()));
  }

  canSubmit (): boolean {
    return this.outstanding < this.maxOutstanding;
  }

  /**
   * Signs `call` with `sender`'s next nonce (immortal, so signing needs no RPC) and submits it
   * without waiting. `settle` hears once whether a block included it or it was dropped.
   */
  send (sender: Sender, call: SubmittableExtrinsic<'promise'>, settle?: Settle): void {
    const nonce = sender.takeNonce();
    // Immortal (checkpoint = genesis): no header to fetch per transaction.
    const signed = call.sign(sender.pair, {
      nonce,
      blockHash: this.api.genesisHash,
      genesisHash: this.api.genesisHash,
      runtimeVersion: this.api.runtimeVersion
    });
    sender.pending.set(nonce, {
      settle: (outcome) => {
        this.inFlight--;
        if (outcome.kind === 'dropped') this.dropped++;
        settle?.(outcome);
      }
    });
    this.inFlight++;
    this.outstanding++;
    this.api.rpc.author.submitExtrinsic(signed)
      .then(() => { this.accepted++; })
      .catch((error: unknown) => this.refuse(sender, nonce, error))
      .finally(() => { this.outstanding--; });
  }

  /** Submits `call` and resolves with its outcome. */
  async sendAndWait (sender: Sender, call: SubmittableExtrinsic<'promise'>): Promise<Outcome> {
    return await new Promise((resolveOutcome) => this.send(sender, call, resolveOutcome));
  }

  private refuse (sender: Sender, nonce: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const reason = refusalReason(message);
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    const pending = sender.pending.get(nonce);
    if (pending === undefined) return;
    sender.pending.delete(nonce);
    if (!nonceUsedUp(message)) sender.returnNonce(nonce);
    pending.settle?.({ kind: 'refused', reason });
    if (nonceBehindChain(message) && !sender.resyncing) this.resync(sender, this.lastBlock);
  }

  private onBlock (block: BlockRecord): void {
    this.lastBlock = block.number;
    for (const item of block.signed) this.senders.get(item.signer)?.included(item, block.number);
    for (const sender of this.senders.values()) {
      if (sender.pending.size > 0 && !sender.resyncing && block.number - sender.lastProgressBlock >= STALL_BLOCKS) {
        this.resync(sender, block.number);
      }
    }
  }

  /**
   * An account waited `STALL_BLOCKS` blocks without progress: either the block is full (its
   * transactions are still ready in the pool, nothing to do) or some of them vanished (a gap
   * holds the rest back in the future queue): ask the pool which. Also after an `outdated`
   * refusal: the chain is past our next nonce.
   */
  private resync (sender: Sender, block: number): void {
    sender.resyncing = true;
    this.api.rpc.system.accountNextIndex(sender.address)
      .then((next) => {
        const poolNext = next.toNumber();
        const lost = [...sender.pending.keys()].some((nonce) => nonce >= poolNext);
        if (!lost && sender.upcomingNonce >= poolNext) {
          sender.lastProgressBlock = block;
          return;
        }
        sender.resync(poolNext, block);
      })
      .catch(() => { /* retried after the next stall period */ })
      .finally(() => { sender.resyncing = false; });
  }

  /** Resolves when none of our transactions waits for a block any more, or after `timeoutMs`. */
  async drain (follower: BlockFollower, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      follower.check();
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 100));
    }
    return this.inFlight === 0;
  }

  /** Forgets every waiting transaction (after a drain timed out) and realigns nonces with the pool. */
  async abandonWaiting (): Promise<number> {
    let dropped = 0;
    await Promise.all([...this.senders.values()].filter((sender) => sender.pending.size > 0).map(async (sender) => {
      const next = await this.api.rpc.system.accountNextIndex(sender.address);
      dropped += sender.resync(next.toNumber(), sender.lastProgressBlock);
      // Ready ones that were never included are forgotten too: their outcome no longer matters.
      for (const [nonce, pending] of sender.pending) {
        sender.pending.delete(nonce);
        pending.settle?.({ kind: 'dropped', reason: 'abandoned' });
        dropped++;
      }
    }));
    return dropped;
  }
}
