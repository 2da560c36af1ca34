// The markets: each collection's mark, index and its age, the mark-vs-index gap, funding
// (next settlement, estimated rate per side), open interest, depth, and whether opening is
// possible (a stale index or a paused market says so).

import type { MarketView } from '../chain.ts';
import { formatDuration, formatPercent, formatSigned, formatUnits } from '../format.ts';
import { fundingRateOfIndex, markIndexGap, maxLeverage } from '../ticket.ts';
import { Figure, useNow } from './common.tsx';

/** Why opening is refused in `market` right now, in words, or `null`. */
export function openingBlocked (market: MarketView): string | null {
  if (market.info.paused.isTrue) return 'Market paused by governance: reduce-only until it is unpaused. Closing, reducing and margin changes still work.';
  if (!market.info.indexFresh.isTrue) {
    return market.info.index.isNone
      ? 'Opening paused: the oracle has not published an index for this collection yet.'
      : 'Opening paused while the index is stale: the oracle has not published a fresh floor price. Closing, reducing and adding margin still work.';
  }
  return null;
}

function Badges ({ market }: { market: MarketView }) {
  return (
    <span class="badges">
      {market.info.paused.isTrue && <span class="badge bad" data-testid="badge-paused">paused</span>}
      {!market.info.indexFresh.isTrue && <span class="badge warn" data-testid="badge-stale">{market.info.index.isNone ? 'no index' : 'index stale'}</span>}
    </span>
  );
}

export function MarketList ({ markets, selected, onSelect }: { markets: MarketView[], selected: number | null, onSelect: (id: number) => void }) {
  if (markets.length === 0) {
    return <p class="muted">No markets on this chain yet. Markets are created by governance (on the dev chain, <code>./scripts/dev.sh</code> creates demo markets).</p>;
  }
  return (
    <ul class="market-list" aria-label="Markets">
      {markets.map((market) => {
        const { info } = market;
        const index = info.index.isSome ? info.index.unwrap().price.toBigInt() : null;
        const gap = index === null ? null : markIndexGap(info.markPrice.toBigInt(), index);
        return (
          <li key={market.id}>
            <button
              type="button"
              class="market-button"
              aria-pressed={selected === market.id}
              data-testid={`market-${market.id}`}
              onClick={() => onSelect(market.id)}
            >
              <span class="market-name">{market.name}</span>
              <Badges market={market} />
              <span class="market-line">
                <span>mark {formatUnits(info.markPrice.toBigInt(), 18, 4)}</span>
                {gap !== null && <span class={gap >= 0n ? 'good' : 'bad'}>{formatSigned(gap * 100n, 18, 2, 2)} %</span>}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The selected market's figures. */
export function MarketDetail ({ market, blockTime }: { market: MarketView, blockTime: number }) {
  const now = useNow();
  const { info } = market;
  const mark = info.markPrice.toBigInt();
  const index = info.index.isSome ? info.index.unwrap() : null;
  const indexPrice = index?.price.toBigInt() ?? null;
  // The chain's clock is the last block's timestamp; between blocks, the wall clock moves on.
  const chainNow = Math.max(blockTime, now);
  const indexAge = index === null ? null : (chainNow - Number(index.timestamp.toString())) / 1000;
  const nextFunding = Number(info.nextFundingTime.toString());
  const estimate = info.fundingEstimate.isSome ? info.fundingEstimate.unwrap() : null;
  const oi = info.openInterest;
  const maxAge = Number(info.params.maxOracleAge.toString());
  const blocked = openingBlocked(market);
  return (
    <section class="panel market-detail" aria-labelledby="market-title" data-testid="market-detail">
      <h2 id="market-title">{market.name} <span class="muted">market {market.id}</span> <Badges market={market} /></h2>
      {blocked !== null && <p class="notice warn" role="status" data-testid="market-blocked">{blocked}</p>}
      <dl class="figures">
        <Figure label="Mark" value={formatUnits(mark, 18, 4)} raw={mark} testId="market-mark" />
        <Figure
          label="Index"
          value={indexPrice === null ? 'none yet' : <>{formatUnits(indexPrice, 18, 4)} <span class="muted">({formatDuration(indexAge ?? 0)} old{maxAge > 0 ? `, stale after ${formatDuration(maxAge)}` : ''})</span></>}
          raw={indexPrice}
          testId="market-index"
          tone={info.indexFresh.isTrue ? undefined : 'warn'}
        />
        <Figure label="Mark − index" value={indexPrice === null ? '—' : formatPercent(markIndexGap(mark, indexPrice))} />
        <Figure label="Next funding" value={nextFunding * 1000 > chainNow ? `in ${formatDuration(nextFunding - chainNow / 1000)}` : 'due (settles with the next trade or keeper)'} />
        <Figure
          label="Est. funding, longs"
          value={estimate === null ? '—' : fundingText(estimate.longRate.toBigInt(), estimate.indexTwap.toBigInt(), 'long')}
          raw={estimate?.longRate.toBigInt()}
        />
        <Figure
          label="Est. funding, shorts"
          value={estimate === null ? '—' : fundingText(-estimate.shortRate.toBigInt(), estimate.indexTwap.toBigInt(), 'short')}
          raw={estimate?.shortRate.toBigInt()}
        />
        <Figure label="Open interest long" value={`${formatUnits(oi.longSize.toBigInt(), 18, 4)} (${formatUnits(oi.longNotional.toBigInt(), 18, 2)} notional)`} raw={oi.longSize.toBigInt()} />
        <Figure label="Open interest short" value={`${formatUnits(oi.shortSize.toBigInt(), 18, 4)} (${formatUnits(oi.shortNotional.toBigInt(), 18, 2)} notional)`} raw={oi.shortSize.toBigInt()} />
        <Figure label="Depth" value={`${formatUnits(info.reserves.quote.toBigInt(), 18, 2)} quote × ${formatUnits(info.reserves.base.toBigInt(), 18, 2)} base (${formatUnits(info.depth.toBigInt(), 18, 2)}× launch)`} />
        <Figure label="Max leverage" value={`${formatUnits(maxLeverage(info.params.initialMarginRatio.toBigInt()), 18, 2)}x`} />
        <Figure label="Fee" value={formatPercent(info.params.feeRatio.toBigInt())} />
        <Figure label="Maintenance MR" value={formatPercent(info.params.maintenanceMarginRatio.toBigInt())} />
      </dl>
    </section>
  );
}

/** "pays 0.0100 % / period" from a side's payment per unit (positive = pays). */
function fundingText (pays: bigint, indexTwap: bigint, side: 'long' | 'short'): string {
  const rate = fundingRateOfIndex(pays < 0n ? -pays : pays, indexTwap);
  if (pays === 0n) return `${side}s pay nothing`;
  return `${side}s ${pays > 0n ? 'pay' : 'receive'} ${formatPercent(rate, 4)} / period`;
}
