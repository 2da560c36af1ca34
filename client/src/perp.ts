// Typed access to floorperp's `PerpApi` runtime API and to named event fields.
//
// The runtime publishes its runtime APIs in metadata v15+, so @polkadot/api builds
// `api.call.perpApi.*` and decodes its results without client-side type definitions; the
// interfaces below only give those decoded codecs TypeScript shapes. Amounts, prices and
// ratios are raw 18-decimal integers (10^18 = 1 unit, 1.0 or 100%); amounts are in the
// collateral token (ETH on floorperp), transaction fees in the native token (FLOOR).

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Enum, Option, Result, Struct, bool, i128, u128, u32, u64, Vec } from '@polkadot/types-codec';
import type { Codec } from '@polkadot/types-codec/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';

/** Where a position's margin ratio reaches maintenance as the curve moves. */
export interface LiquidationPrice extends Enum {
  readonly isNever: boolean;
  readonly isAlways: boolean;
  readonly isAt: boolean;
  readonly asAt: u128;
}

/** `pallet_perp::api::PositionDetails`. */
export interface PositionDetails extends Struct {
  readonly market: u32;
  readonly isolated: bool;
  readonly baseSize: i128;
  readonly margin: u128;
  readonly openNotional: u128;
  readonly entryPrice: u128;
  readonly exitNotional: u128;
  readonly unrealizedPnl: i128;
  readonly pendingFunding: i128;
  readonly marginRatio: Option<i128>;
  readonly liquidationPrice: LiquidationPrice;
  readonly leverage: Option<u128>;
}

/** `pallet_perp::api::TradeQuote`. */
export interface TradeQuote extends Struct {
  readonly exchangedSize: i128;
  readonly exchangedNotional: u128;
  readonly fillPrice: u128;
  readonly markBefore: u128;
  readonly markAfter: u128;
  readonly priceImpact: u128;
  readonly fee: u128;
  readonly marginCommitted: u128;
  readonly realizedPnl: i128;
  readonly fundingPayment: i128;
  readonly positionAfter: Option<PositionDetails>;
  readonly marginRatioAfter: Option<i128>;
  readonly liquidationPriceAfter: Option<LiquidationPrice>;
}

/** `pallet_perp::traits::IndexPrice`. */
export interface IndexPrice extends Struct {
  readonly price: u128;
  readonly timestamp: u64;
}

/** `perp_math::Reserves`: the curve's virtual reserves. */
export interface Reserves extends Struct {
  readonly base: u128;
  readonly quote: u128;
}

/** `pallet_perp::types::OpenInterest`. */
export interface OpenInterest extends Struct {
  readonly longSize: u128;
  readonly shortSize: u128;
  readonly longNotional: u128;
  readonly shortNotional: u128;
}

/** `pallet_perp::api::FundingEstimate`: what settling funding now would do. */
export interface FundingEstimate extends Struct {
  readonly markTwap: u128;
  readonly indexTwap: u128;
  /** Quote per unit of size a long pays this period (negative = receives). */
  readonly longRate: i128;
  /** Quote per unit of size a short receives this period (negative = pays). */
  readonly shortRate: i128;
  readonly insurance: i128;
}

/**
 * The parameters of `pallet_perp::types::MarketParams` a trader's screen needs. Reading them
 * from `MarketInfo` (never from a copy of the defaults) keeps every market-parameter rule on
 * the chain's side: governance may change any of them.
 */
export interface MarketParams extends Struct {
  readonly initialMarginRatio: u128;
  readonly maintenanceMarginRatio: u128;
  readonly feeRatio: u128;
  readonly fluctuationLimit: u128;
  readonly maxOracleAge: u64;
  readonly maxMarkIndexDivergence: u128;
  readonly fundingPeriod: u64;
  readonly twapWindow: u64;
  readonly maxOpenInterest: u128;
  readonly maxPositionNotional: u128;
  readonly minTradeNotional: u128;
}

/** `pallet_perp::api::MarketInfo`. */
export interface MarketInfo extends Struct {
  readonly collection: u32;
  readonly markPrice: u128;
  /** The latest index and its observation time in milliseconds. */
  readonly index: Option<IndexPrice>;
  readonly indexFresh: bool;
  readonly reserves: Reserves;
  readonly netSize: i128;
  readonly openInterest: OpenInterest;
  readonly lastFundingTime: u64;
  /** Unix seconds. */
  readonly nextFundingTime: u64;
  readonly fundingEstimate: Option<FundingEstimate>;
  readonly convergenceReserve: u128;
  readonly accruedFees: Struct & { readonly insurance: u128; readonly treasury: u128 };
  /** Curve depth relative to launch. */
  readonly depth: u128;
  /** A paused market is reduce-only: closing and reducing go on, opening fails. */
  readonly paused: bool;
  readonly params: MarketParams;
}

/** `pallet_perp::api::AccountSummary`. */
export interface AccountSummary extends Struct {
  readonly collateral: u128;
  readonly totalMargin: u128;
  readonly totalNotional: u128;
  readonly unrealizedPnl: i128;
  readonly pendingFunding: i128;
  /** A realised cross loss still owed to the vault, backed by the cross positions' profit. */
  readonly debt: u128;
  readonly marginRatio: Option<i128>;
  readonly withdrawable: u128;
  readonly positions: Vec<PositionDetails>;
}

export type Side = 'Long' | 'Short';

/** One unit (10^18 raw). */
export const UNIT = 10n ** 18n;
/** 0.001 (10^15 raw). */
export const MILLI = 10n ** 15n;

/**
 * The chain's default market parameters (`perp.DefaultMarketParams`, their one home: the
 * runtime) with `overrides`, as `create_market` / `set_market_params` take them. Every guard
 * is on, as a real market runs.
 */
export function marketParams (api: ApiPromise, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const defaults = api.consts.perp.defaultMarketParams as unknown as Struct;
  return { ...Object.fromEntries(defaults.entries()), ...overrides };
}

/**
 * The `assets` id of the collateral token (`perp.CollateralAssetId`: ETH on floorperp), or
 * null when the chain's native token is the collateral.
 */
export function collateralAsset (api: ApiPromise): number | null {
  const id = api.consts.perp.collateralAssetId as unknown as Option<u32>;
  return id.isSome ? id.unwrap().toNumber() : null;
}

/** `who`'s free (transferable, not held) collateral-token balance, at the best block or `blockHash`. */
export async function collateralBalance (api: ApiPromise, who: string, blockHash?: string): Promise<bigint> {
  const at = blockHash === undefined ? api : await api.at(blockHash);
  const asset = collateralAsset(api);
  if (asset === null) return (await at.query.system.account(who)).data.free.toBigInt();
  const account = await at.query.assets.account(asset, who);
  return account.isSome ? account.unwrap().balance.toBigInt() : 0n;
}

/** Sends `amount` of the collateral token to `to`, keeping the sender's account alive. */
export function collateralTransfer (api: ApiPromise, to: string, amount: bigint): SubmittableExtrinsic<'promise'> {
  const asset = collateralAsset(api);
  return asset === null ? api.tx.balances.transferKeepAlive(to, amount) : api.tx.assets.transferKeepAlive(asset, to, amount);
}

/** The `PerpApi` methods as @polkadot/api decorates them from metadata. */
export interface PerpApiCalls {
  marketInfo: (market: number) => Promise<Option<MarketInfo>>;
  positionInfo: (account: string, market: number) => Promise<Option<PositionDetails>>;
  quoteOpen: (
    account: string,
    market: number,
    side: Side,
    margin: bigint,
    leverage: bigint,
    isolated: boolean
  ) => Promise<Result<TradeQuote, DispatchError>>;
  accountSummary: (account: string) => Promise<Result<AccountSummary, DispatchError>>;
  /**
   * What `reduce_position(market, base)` (or, with `null`, `close_position(market)`) would
   * do as the next block's first trade.
   */
  quoteReduce: (account: string, market: number, base: bigint | null) => Promise<Result<TradeQuote, DispatchError>>;
  /** The position after moving `amount` of margin in (positive) or out (negative). */
  quoteMargin: (account: string, market: number, amount: bigint) => Promise<Result<PositionDetails, DispatchError>>;
}

/** `PerpApi` at the best block, or at `blockHash`. Throws if the runtime has no `PerpApi`. */
export async function perpApi (api: ApiPromise, blockHash?: string): Promise<PerpApiCalls> {
  const decorated = blockHash === undefined ? api : await api.at(blockHash);
  const calls = decorated.call.perpApi as unknown as PerpApiCalls | undefined;
  if (calls === undefined) throw new Error('the runtime exposes no PerpApi in its metadata');
  return calls;
}

/**
 * A named field of an event (names come from metadata, camelCased), e.g.
 * `eventField(record, 'fee')`. Polkadot-JS appends `_` to names it reserves (`size`,
 * `keys`, `entries`, `new`, `hash`, `registry`), so `size` is found as `size_`.
 */
export function eventField (record: EventRecord, name: string): Codec {
  const { data } = record.event;
  const names = data.names ?? [];
  const position = names.includes(name) ? names.indexOf(name) : names.indexOf(`${name}_`);
  if (position < 0) throw new Error(`${record.event.section}.${record.event.method} has no field ${name}`);
  return data[position];
}

/** A numeric event field as a bigint. */
export function eventBigInt (record: EventRecord, name: string): bigint {
  return BigInt(eventField(record, name).toString());
}

/** The error of a failed `Result<_, DispatchError>` as `Section.Name` (or its text). */
export function dispatchErrorName (api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const { section, name } = api.registry.findMetaError(error.asModule);
    return `${section}.${name}`;
  }
  return error.toString();
}

/** The first `section.method` event among `events`; fails the test if there is none. */
export function findEvent (events: EventRecord[], section: string, method: string): EventRecord {
  const record = events.find(({ event }) => event.section === section && event.method === method);
  if (record === undefined) throw new Error(`no ${section}.${method} event`);
  return record;
}
