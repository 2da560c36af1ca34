// The page's view of the chain: one WebSocket connection, and at every new best block a
// snapshot of every market (`PerpApi.marketInfo`), the selected account (`accountSummary`,
// wallet balances) and the block's time. Components read snapshots; nothing here renders.

import { ApiPromise, WsProvider } from '@polkadot/api';
import type { Codec } from '@polkadot/types-codec/types';
import type { DispatchError } from '@polkadot/types/interfaces';

import { perpApi, type AccountSummary, type MarketInfo, type PerpApiCalls } from '@client/perp.ts';

import { explainError } from './errors.ts';
import { Store } from './store.ts';

export interface TokenInfo {
  symbol: string;
  decimals: number;
}

/**
 * What the trader deposits. Collateral is moving from the native token to an ETH asset
 * (pallet-assets) whose id the perp pallet exposes as a constant; transaction fees stay in
 * the native token either way.
 */
export type Collateral =
  | ({ kind: 'native' } & TokenInfo)
  | ({ kind: 'asset', assetId: Codec } & TokenInfo);

export interface ChainInfo {
  name: string;
  /** Development or local chains offer the well-known dev accounts. */
  isDev: boolean;
  native: TokenInfo;
  collateral: Collateral;
}

export interface MarketView {
  id: number;
  name: string;
  info: MarketInfo;
}

export interface AccountView {
  address: string;
  /** Free native balance (pays transaction fees). */
  nativeFree: bigint;
  /** Free balance of the collateral token in the wallet (what a deposit can move). */
  collateralFree: bigint;
  summary: AccountSummary | null;
  summaryError: string | null;
}

export interface Snapshot {
  blockNumber: number;
  blockHash: string;
  /** The block's timestamp, ms. */
  blockTime: number;
  finalized: number;
  markets: MarketView[];
  account: AccountView | null;
}

export type Connection =
  | { state: 'connecting', endpoint: string }
  | { state: 'connected', endpoint: string, api: ApiPromise, chain: ChainInfo }
  | { state: 'failed', endpoint: string, error: string };

/** A chain error (from a quote's `Result` or a failed dispatch) as `section.Name` and words. */
export interface ChainError {
  name: string;
  words: string;
}

export function describeDispatchError (api: ApiPromise, error: DispatchError): ChainError {
  if (error.isModule) {
    const { section, name, docs } = api.registry.findMetaError(error.asModule);
    const full = `${section}.${name}`;
    return { name: full, words: explainError(full, docs) };
  }
  if (error.isToken) return { name: `token.${error.asToken.type}`, words: explainError(`token.${error.asToken.type}`, [tokenWords(error.asToken.type)]) };
  if (error.isArithmetic) return { name: `arithmetic.${error.asArithmetic.type}`, words: `Arithmetic error (${error.asArithmetic.type}).` };
  return { name: error.type, words: explainError(error.type) };
}

function tokenWords (type: string): string {
  switch (type) {
    case 'FundsUnavailable': return 'Not enough funds available.';
    case 'OnlyProvider': return 'The account would be removed (keep the existential deposit).';
    case 'BelowMinimum': return 'Below the minimum balance.';
    default: return type;
  }
}

async function collateralOf (api: ApiPromise, native: TokenInfo): Promise<Collateral> {
  // `perp.CollateralAssetId`: `Some(asset)` when collateral is an `assets` token (ETH).
  const published = (api.consts.perp as unknown as Record<string, (Codec & { isSome: boolean, unwrap: () => Codec }) | undefined>).collateralAssetId;
  const assetId = published?.isSome === true ? published.unwrap() : undefined;
  const assets = api.query.assets as unknown as { metadata?: (id: Codec) => Promise<Codec & { symbol: Codec & { toUtf8: () => string }, decimals: Codec & { toNumber: () => number } }> } | undefined;
  if (assetId === undefined || assets?.metadata === undefined) return { kind: 'native', ...native };
  const metadata = await assets.metadata(assetId);
  const symbol = metadata.symbol.toUtf8();
  return { kind: 'asset', assetId, symbol: symbol || 'ETH', decimals: metadata.decimals.toNumber() };
}

async function chainInfo (api: ApiPromise): Promise<ChainInfo> {
  const [name, chainType, properties] = await Promise.all([
    api.rpc.system.chain(),
    api.rpc.system.chainType(),
    api.rpc.system.properties()
  ]);
  const native: TokenInfo = {
    symbol: properties.tokenSymbol.unwrapOr(undefined)?.[0]?.toString() ?? 'FLOOR',
    decimals: properties.tokenDecimals.unwrapOr(undefined)?.[0]?.toNumber() ?? 18
  };
  const calls = api.call.perpApi as unknown as Record<string, unknown> | undefined;
  if (calls === undefined) throw new Error('this node\'s runtime has no PerpApi: is it a floorperp node?');
  return {
    name: name.toString(),
    isDev: chainType.isDevelopment || chainType.isLocal,
    native,
    collateral: await collateralOf(api, native)
  };
}

/** Collection names come from the true-floor oracle's configuration when it has one. */
async function collectionName (api: ApiPromise, collection: number): Promise<string> {
  const trueFloor = api.query.trueFloor as unknown as { collections?: (key: number) => Promise<Codec & { isSome: boolean, unwrap: () => { slug: Codec & { toUtf8: () => string } } }> } | undefined;
  try {
    const config = await trueFloor?.collections?.(collection);
    if (config?.isSome) {
      const slug = config.unwrap().slug.toUtf8();
      if (slug) return slug;
    }
  } catch {
    // A runtime without the oracle's configuration still trades: fall back to the key.
  }
  return `Collection #${collection}`;
}

export class Chain {
  readonly connection = new Store<Connection>({ state: 'connecting', endpoint: '' });
  readonly snapshot = new Store<Snapshot | null>(null);
  /** Every new best block, after its snapshot is taken. */
  readonly blocks = new Store<{ hash: string, number: number, time: number } | null>(null);
  private account: string | null = null;
  private names = new Map<number, string>();
  private unsubscribes: Array<() => void> = [];
  private refreshing = 0;
  private finalized = 0;
  private api: ApiPromise | null = null;
  private provider: WsProvider | null = null;
  private generation = 0;

  async connect (endpoint: string): Promise<void> {
    await this.disconnect();
    const generation = ++this.generation;
    this.connection.set({ state: 'connecting', endpoint });
    let provider: WsProvider;
    try {
      // Retry every 2 s: `dev.sh` may still be starting the node when the page opens.
      provider = new WsProvider(endpoint, 2_000);
    } catch (error) {
      this.connection.set({ state: 'failed', endpoint, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.provider = provider;
    try {
      const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });
      // Another endpoint was chosen while this one connected.
      if (generation !== this.generation) {
        await api.disconnect();
        return;
      }
      this.api = api;
      const chain = await chainInfo(api);
      this.connection.set({ state: 'connected', endpoint, api, chain });
      this.unsubscribes.push(await api.rpc.chain.subscribeFinalizedHeads((header) => {
        this.finalized = header.number.toNumber();
        const current = this.snapshot.get();
        if (current !== null) this.snapshot.set({ ...current, finalized: this.finalized });
      }));
      this.unsubscribes.push(await api.rpc.chain.subscribeNewHeads((header) => {
        void this.refresh(header.hash.toHex(), header.number.toNumber());
      }));
    } catch (error) {
      await provider.disconnect().catch(() => {});
      this.connection.set({ state: 'failed', endpoint, error: error instanceof Error ? error.message : String(error) });
    }
  }

  async disconnect (): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    const api = this.api;
    const provider = this.provider;
    this.api = null;
    this.provider = null;
    // A provider still connecting has no api yet, and would retry forever.
    if (api === null) await provider?.disconnect().catch(() => {});
    this.snapshot.set(null);
    this.names.clear();
    await api?.disconnect().catch(() => {});
  }

  /** Follows `address` (or nobody) from the next snapshot on, and refreshes now. */
  selectAccount (address: string | null): void {
    this.account = address;
    const current = this.snapshot.get();
    if (current !== null) void this.refresh(current.blockHash, current.blockNumber);
  }

  /** PerpApi at the best block: what quotes are computed against. */
  async perp (): Promise<PerpApiCalls> {
    if (this.api === null) throw new Error('not connected');
    return await perpApi(this.api);
  }

  private async refresh (blockHash: string, blockNumber: number): Promise<void> {
    const api = this.api;
    if (api === null) return;
    const ticket = ++this.refreshing;
    try {
      const at = await api.at(blockHash);
      const perp = await perpApi(api, blockHash);
      const [count, now] = await Promise.all([at.query.perp.nextMarketId(), at.query.timestamp.now()]);
      const ids = Array.from({ length: Number(count.toString()) }, (_, id) => id);
      const infos = await Promise.all(ids.map(async (id) => await perp.marketInfo(id)));
      const markets: MarketView[] = [];
      for (const [position, info] of infos.entries()) {
        if (info.isNone) continue;
        const id = ids[position];
        const market = info.unwrap();
        if (!this.names.has(id)) this.names.set(id, await collectionName(api, market.collection.toNumber()));
        markets.push({ id, name: this.names.get(id) ?? `Market ${id}`, info: market });
      }
      const account = this.account === null ? null : await this.accountView(api, at, perp, this.account);
      // A newer block's refresh may have finished first: keep the newest.
      if (ticket !== this.refreshing && (this.snapshot.get()?.blockNumber ?? 0) > blockNumber) return;
      this.snapshot.set({
        blockNumber,
        blockHash,
        blockTime: Number(now.toString()),
        finalized: this.finalized,
        markets,
        account
      });
      this.blocks.set({ hash: blockHash, number: blockNumber, time: Number(now.toString()) });
    } catch (error) {
      console.warn(`refreshing at #${blockNumber} failed`, error);
    }
  }

  private async accountView (api: ApiPromise, at: Awaited<ReturnType<ApiPromise['at']>>, perp: PerpApiCalls, address: string): Promise<AccountView> {
    const connection = this.connection.get();
    const collateral = connection.state === 'connected' ? connection.chain.collateral : null;
    const [account, summary] = await Promise.all([at.query.system.account(address), perp.accountSummary(address)]);
    const nativeFree = account.data.free.toBigInt();
    let collateralFree = nativeFree;
    if (collateral?.kind === 'asset') {
      const assets = at.query.assets as unknown as { account: (id: Codec, who: string) => Promise<Codec & { isSome: boolean, unwrap: () => { balance: Codec } }> };
      const held = await assets.account(collateral.assetId, address);
      collateralFree = held.isSome ? BigInt(held.unwrap().balance.toString()) : 0n;
    }
    return {
      address,
      nativeFree,
      collateralFree,
      summary: summary.isOk ? summary.asOk : null,
      summaryError: summary.isErr ? describeDispatchError(api, summary.asErr).words : null
    };
  }
}
