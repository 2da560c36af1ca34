// The charts' data: what the chain still holds, then what the page sees live.
//
// - Mark vs index: `perp.priceHistory` keeps samples of each market's TWAP accumulators
//   (Σ price·seconds) over the last `twap_window`; the difference of two samples divided by
//   the seconds between them is the time-weighted mean price over that interval. After
//   that, every new block adds the mark and index `marketInfo` reports.
// - Funding settlements and the account's trades: events (`perp.FundingSettled`,
//   `perp.PositionChanged`, `perp.PositionLiquidated`) of the last `window` blocks, read by
//   block hash newest first, a few blocks at a time, stopping early where the node has
//   pruned the state (a default node keeps 256 blocks; `dev.sh` runs an archive node); then
//   each new block's events. Bounded: at most `window` blocks are ever read back.

import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types-codec/types';
import type { EventRecord } from '@polkadot/types/interfaces';

import { eventBigInt, eventField } from '@client/perp.ts';

import { Store } from './store.ts';

export interface PricePoint {
  /** Seconds. */
  time: number;
  mark: bigint;
  index: bigint | null;
}

export interface FundingPoint {
  time: number;
  block: number;
  market: number;
  markTwap: bigint;
  indexTwap: bigint;
  longRate: bigint;
  shortRate: bigint;
}

export interface TradePoint {
  time: number;
  block: number;
  market: number;
  who: string;
  liquidation: boolean;
  realizedPnl: bigint;
  fee: bigint;
  funding: bigint;
  penalty: bigint;
}

export interface HistoryState {
  prices: Map<number, PricePoint[]>;
  funding: FundingPoint[];
  trades: TradePoint[];
  /** Each account's unrealised PnL (less pending funding) at each block the page saw. */
  unrealized: Map<string, Array<{ time: number, value: bigint }>>;
  /** The oldest block whose events were read, once the backfill is done. */
  scannedFrom: number | null;
  scanning: boolean;
}

const WRAP = 1n << 128n;
/** Live points kept per market: a day of 6-second blocks. */
const MAX_LIVE_POINTS = 14_400;

interface Sample {
  timestamp: Codec;
  markCumulative: Codec;
  indexCumulative: Codec;
}

/** Interval means between consecutive accumulator samples (the accumulators wrap at 2^128). */
export function meansFromSamples (samples: Array<{ timestamp: bigint, mark: bigint, index: bigint }>): PricePoint[] {
  const points: PricePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i].timestamp - samples[i - 1].timestamp;
    if (dt <= 0n) continue;
    const mark = (((samples[i].mark - samples[i - 1].mark) % WRAP + WRAP) % WRAP) / dt;
    const index = (((samples[i].index - samples[i - 1].index) % WRAP + WRAP) % WRAP) / dt;
    points.push({ time: Number(samples[i].timestamp), mark, index: index === 0n ? null : index });
  }
  return points;
}

function insertSorted<T extends { time: number }> (list: T[], item: T, same: (a: T, b: T) => boolean): T[] {
  if (list.some((existing) => same(existing, item))) return list;
  const next = [...list, item];
  next.sort((a, b) => a.time - b.time);
  return next;
}

export function emptyHistory (): HistoryState {
  return { prices: new Map(), funding: [], trades: [], unrealized: new Map(), scannedFrom: null, scanning: false };
}

export class History {
  readonly state = new Store<HistoryState>(emptyHistory());
  private stopped = false;

  constructor (private readonly api: ApiPromise, private readonly window: number) {}

  stop (): void {
    this.stopped = true;
  }

  /** Loads each market's stored samples; call once per market when it first appears. */
  async loadPrices (market: number): Promise<void> {
    const query = this.api.query.perp as unknown as { priceHistory: (id: number) => Promise<Codec & Sample[]> };
    const samples = (await query.priceHistory(market)).map((sample) => ({
      timestamp: BigInt(sample.timestamp.toString()),
      mark: BigInt(sample.markCumulative.toString()),
      index: BigInt(sample.indexCumulative.toString())
    }));
    const stored = meansFromSamples(samples);
    this.state.update((state) => {
      const prices = new Map(state.prices);
      const live = prices.get(market) ?? [];
      const firstLive = live[0]?.time ?? Infinity;
      prices.set(market, [...stored.filter((point) => point.time < firstLive), ...live]);
      return { ...state, prices };
    });
  }

  /** A new block's mark and index for `market` (seconds since the epoch). */
  addLivePrice (market: number, point: PricePoint): void {
    this.state.update((state) => {
      const prices = new Map(state.prices);
      const list = prices.get(market) ?? [];
      const last = list[list.length - 1];
      if (last !== undefined && last.time >= point.time) return state;
      prices.set(market, [...list, point].slice(-MAX_LIVE_POINTS));
      return { ...state, prices };
    });
  }

  /** `who`'s unrealised PnL at a new block (the chain keeps no history of it). */
  addUnrealized (who: string, time: number, value: bigint): void {
    this.state.update((state) => {
      const list = state.unrealized.get(who) ?? [];
      const last = list[list.length - 1];
      if (last !== undefined && last.time >= time) return state;
      const unrealized = new Map(state.unrealized);
      unrealized.set(who, [...list, { time, value }].slice(-MAX_LIVE_POINTS));
      return { ...state, unrealized };
    });
  }

  /** Reads the events of the block `hash` (number `block`, timestamp `time` in seconds). */
  addEvents (block: number, time: number, events: EventRecord[]): void {
    const funding: FundingPoint[] = [];
    const trades: TradePoint[] = [];
    for (const record of events) {
      const { section, method } = record.event;
      if (section !== 'perp') continue;
      if (method === 'FundingSettled') {
        funding.push({
          time,
          block,
          market: Number(eventBigInt(record, 'market')),
          markTwap: eventBigInt(record, 'markTwap'),
          indexTwap: eventBigInt(record, 'indexTwap'),
          longRate: eventBigInt(record, 'longRate'),
          shortRate: eventBigInt(record, 'shortRate')
        });
      } else if (method === 'PositionChanged' || method === 'PositionLiquidated') {
        const liquidation = method === 'PositionLiquidated';
        trades.push({
          time,
          block,
          market: Number(eventBigInt(record, 'market')),
          who: eventField(record, 'who').toString(),
          liquidation,
          realizedPnl: eventBigInt(record, 'realizedPnl'),
          fee: eventBigInt(record, 'fee'),
          funding: eventBigInt(record, 'fundingPayment'),
          penalty: liquidation ? eventBigInt(record, 'penalty') : 0n
        });
      }
    }
    if (funding.length === 0 && trades.length === 0) return;
    this.state.update((state) => ({
      ...state,
      funding: funding.reduce((list, item) => insertSorted(list, item, (a, b) => a.block === b.block && a.market === b.market), state.funding),
      trades: trades.reduce((list, item) => insertSorted(list, item, (a, b) => a.block === b.block && a.market === b.market && a.who === b.who), state.trades)
    }));
  }

  /** Events of one block by number, with its timestamp; `null` where the state is pruned. */
  private async blockEvents (block: number): Promise<{ time: number, events: EventRecord[] } | null> {
    try {
      const hash = await this.api.rpc.chain.getBlockHash(block);
      const at = await this.api.at(hash);
      const [now, events] = await Promise.all([at.query.timestamp.now(), at.query.system.events()]);
      return { time: Math.floor(Number(now.toString()) / 1000), events };
    } catch {
      return null;
    }
  }

  /** Reads back the events of up to `window` blocks before `head`, a few at a time. */
  async backfill (head: number): Promise<void> {
    this.state.update((state) => ({ ...state, scanning: true }));
    const oldest = Math.max(1, head - this.window + 1);
    const parallel = 6;
    let reached = head + 1;
    for (let top = head; top >= oldest && !this.stopped; top -= parallel) {
      const numbers = Array.from({ length: Math.min(parallel, top - oldest + 1) }, (_, i) => top - i);
      const results = await Promise.all(numbers.map(async (block) => await this.blockEvents(block)));
      let pruned = false;
      for (const [i, result] of results.entries()) {
        if (result === null) {
          pruned = true;
          break;
        }
        this.addEvents(numbers[i], result.time, result.events);
        reached = numbers[i];
      }
      if (pruned) break;
    }
    this.state.update((state) => ({ ...state, scanning: false, scannedFrom: reached }));
  }
}
