// Prepares the chain for load: markets with a fresh index, funded load accounts with
// trading collateral. Everything goes through the same submitter as the load itself.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';

import { collateralBalance, collateralTransfer, marketParams, UNIT } from '../perp.ts';
import type { Outcome, Sender, Submitter } from './senders.ts';
import { sleep } from './blocks.ts';

/** Each load account's native (FLOOR) balance: fees for thousands of transactions. */
export const FUNDING = 1_000n * UNIT;
/** Held as collateral (ETH) by each load account before trading. */
export const COLLATERAL = 100n * UNIT;
/** Each load account's collateral-token (ETH) balance: two deposits' worth. */
export const COLLATERAL_FUNDING = 2n * COLLATERAL;
/** The index every market is created and kept at (mark = quote / base = 10 too). */
export const INDEX_PRICE = 10n * UNIT;
/**
 * Deep virtual reserves: a 2-unit trade moves the mark by 2·10⁻⁶, so hundreds of same-side
 * trades in one block stay far inside the 2 % fluctuation band and the 10 % mark/index
 * divergence guard. The load then measures the cost of trading, not the guards refusing it.
 */
const BASE_RESERVE = 100_000n * UNIT;
const QUOTE_RESERVE = 1_000_000n * UNIT;
/** Collection ids at and above this are the load generator's; below are left to people. */
const FIRST_COLLECTION = 1_000_000;

export interface LoadMarket {
  id: number;
  collection: number;
}

export interface DevAccounts {
  /** Sudo and the oracle operator on `--dev`. */
  alice: KeyringPair;
  /** Dev accounts endowed in genesis that fund the load accounts. */
  funders: KeyringPair[];
}

export function devAccounts (): DevAccounts {
  const keyring = new Keyring({ type: 'sr25519' });
  return {
    alice: keyring.addFromUri('//Alice'),
    // Not Alice: her nonces are busy with sudo calls and oracle feeds.
    funders: ['Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((name) => keyring.addFromUri(`//${name}`))
  };
}

export function loadAccounts (count: number): KeyringPair[] {
  const keyring = new Keyring({ type: 'sr25519' });
  return Array.from({ length: count }, (_, index) => keyring.addFromUri(`//load/${index}`));
}

/**
 * Submits every `(sender, call)` pair, no more at once than the submitter allows, and
 * resolves with their outcomes once all are settled.
 */
export async function sendAll (
  submitter: Submitter,
  items: Array<[Sender, SubmittableExtrinsic<'promise'>]>
): Promise<Outcome[]> {
  const outcomes: Array<Promise<Outcome>> = [];
  for (const [sender, call] of items) {
    while (!submitter.canSubmit()) await sleep(5);
    outcomes.push(new Promise((resolveOutcome) => submitter.send(sender, call, resolveOutcome)));
  }
  return await Promise.all(outcomes);
}

export function requireSuccess (what: string, outcomes: Outcome[]): void {
  const failed = outcomes.filter((outcome) => outcome.kind !== 'included' || !outcome.ok);
  if (failed.length > 0) {
    const first = failed[0];
    const reason = first.kind === 'included' ? first.error : `${first.kind}: ${first.reason}`;
    throw new Error(`${failed.length} of ${outcomes.length} ${what} failed, e.g. ${reason}`);
  }
}

/** `count` collection ids without a market, so a run on an existing node starts clean. */
async function unusedCollections (api: ApiPromise, count: number): Promise<number[]> {
  const collections: number[] = [];
  for (let collection = FIRST_COLLECTION; collections.length < count; collection++) {
    const market = await api.query.perp.marketByCollection(collection);
    if ((market as unknown as { isNone: boolean }).isNone) collections.push(collection);
  }
  return collections;
}

/**
 * Creates `count` markets through sudo with the chain's default parameters (every guard on),
 * except `overrides`.
 */
export async function createMarkets (
  api: ApiPromise,
  submitter: Submitter,
  alice: Sender,
  count: number,
  overrides: Record<string, unknown> = {}
): Promise<LoadMarket[]> {
  const collections = await unusedCollections(api, count);
  const outcomes = await sendAll(submitter, collections.map((collection) => [
    alice,
    api.tx.sudo.sudo(api.tx.perp.createMarket(collection, BASE_RESERVE, QUOTE_RESERVE, marketParams(api, overrides)))
  ]));
  requireSuccess('sudo(createMarket)', outcomes);
  // `sudo` succeeds even when the call inside fails: the market's existence is the proof.
  return await Promise.all(collections.map(async (collection) => {
    const market = await api.query.perp.marketByCollection(collection);
    const id = market as unknown as { isSome: boolean, unwrap: () => { toNumber: () => number } };
    if (!id.isSome) throw new Error(`sudo(createMarket(${collection})) did not create a market; is Alice sudo?`);
    return { id: id.unwrap().toNumber(), collection };
  }));
}

/** The oracle call that sets every market's index to `INDEX_PRICE` now. */
export function feedCall (api: ApiPromise, markets: LoadMarket[]): SubmittableExtrinsic<'promise'> {
  return api.tx.oracle.feedValues(markets.map(({ collection }) => [collection, INDEX_PRICE]));
}

export async function feedIndex (api: ApiPromise, submitter: Submitter, alice: Sender, markets: LoadMarket[]): Promise<void> {
  requireSuccess('oracle feeds', await sendAll(submitter, [[alice, feedCall(api, markets)]]));
}

/**
 * Tops up every load account below half of `FUNDING` (FLOOR, for fees) or below
 * `COLLATERAL` (ETH, to deposit), spreading the transfers over the funders. Returns how
 * many transfers it sent.
 */
export async function fundAccounts (
  api: ApiPromise,
  submitter: Submitter,
  funders: Sender[],
  accounts: KeyringPair[]
): Promise<number> {
  const balances = await api.query.system.account.multi(accounts.map(({ address }) => address));
  const collateral = await Promise.all(accounts.map(async ({ address }) => await collateralBalance(api, address)));
  const transfers: Array<SubmittableExtrinsic<'promise'>> = [];
  accounts.forEach((account, index) => {
    if (balances[index].data.free.toBigInt() < FUNDING / 2n) transfers.push(api.tx.balances.transferKeepAlive(account.address, FUNDING));
    if (collateral[index] < COLLATERAL) transfers.push(collateralTransfer(api, account.address, COLLATERAL_FUNDING));
  });
  const outcomes = await sendAll(submitter, transfers.map((transfer, index) => [funders[index % funders.length], transfer]));
  requireSuccess('funding transfers', outcomes);
  return transfers.length;
}

export async function depositCollateral (api: ApiPromise, submitter: Submitter, traders: Sender[]): Promise<void> {
  const outcomes = await sendAll(submitter, traders.map((trader) => [trader, api.tx.perp.deposit(COLLATERAL)]));
  requireSuccess('collateral deposits', outcomes);
}
