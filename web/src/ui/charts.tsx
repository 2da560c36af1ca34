// Charts drawn with lightweight-charts (made for trading charts: time axis, crosshair,
// price scales): mark vs index, funding settlements, and the account's PnL.

import { ColorType, createChart, HistogramSeries, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';

import { toChartNumber } from '../format.ts';
import { evenTimeGrid } from '../series.ts';
import type { HistoryState } from '../history.ts';
import { fundingRateOfIndex } from '../ticket.ts';

type Tab = 'prices' | 'funding' | 'pnl';
const TABS: Array<{ id: Tab, label: string }> = [
  { id: 'prices', label: 'Mark vs index' },
  { id: 'funding', label: 'Funding settlements' },
  { id: 'pnl', label: 'Your PnL' }
];

interface Line { name: string, color: string, kind?: 'line' | 'histogram', hold?: 'next' | 'previous', points: Array<{ time: number, value: number }> }

/** Ascending, one point per second: what lightweight-charts accepts. */
function clean (points: Array<{ time: number, value: number }>): Array<{ time: UTCTimestamp, value: number }> {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  const out: Array<{ time: UTCTimestamp, value: number }> = [];
  for (const point of sorted) {
    if (out.length > 0 && out[out.length - 1].time === point.time) out[out.length - 1] = { time: point.time as UTCTimestamp, value: point.value };
    else out.push({ time: point.time as UTCTimestamp, value: point.value });
  }
  return out;
}

function Chart ({ lines, label }: { lines: Line[], label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<Map<string, ISeriesApi<'Line'> | ISeriesApi<'Histogram'>>>(new Map());
  const fittedFrom = useRef<number | null>(null);

  useEffect(() => {
    if (container.current === null) return;
    const created = createChart(container.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#a9b4c6', attributionLogo: false },
      grid: { vertLines: { color: '#1e2633' }, horzLines: { color: '#1e2633' } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderColor: '#2a3444' }
    });
    chart.current = created;
    return () => {
      created.remove();
      chart.current = null;
      series.current = new Map();
    };
  }, []);

  useEffect(() => {
    const current = chart.current;
    if (current === null) return;
    for (const line of lines) {
      let target = series.current.get(line.name);
      if (target === undefined) {
        target = line.kind === 'histogram'
          ? current.addSeries(HistogramSeries, { color: line.color, title: line.name, priceFormat: { type: 'price', precision: 6, minMove: 0.000001 } })
          : current.addSeries(LineSeries, { color: line.color, lineWidth: 2, title: line.name, priceFormat: { type: 'price', precision: 4, minMove: 0.0001 } });
        series.current.set(line.name, target);
      }
      const points = clean(line.points);
      target.setData(line.hold === undefined ? points : evenTimeGrid(points, line.hold) as typeof points);
    }
    // Show all the data when it first arrives, and again when older history joins it;
    // otherwise the trader's zoom and scroll stay.
    const earliest = Math.min(...lines.map((line) => line.points[0]?.time ?? Infinity));
    if (lines.some((line) => line.points.length > 1) && earliest < (fittedFrom.current ?? Infinity)) {
      current.timeScale().fitContent();
      fittedFrom.current = earliest;
    }
  }, [lines]);

  return <div class="chart" ref={container} role="img" aria-label={label} />;
}

export function Charts ({ history, market, account }: { history: HistoryState, market: number, account: string | null }) {
  const [tab, setTab] = useState<Tab>('prices');
  const prices = history.prices.get(market) ?? [];
  const funding = history.funding.filter((point) => point.market === market);
  let lines: Line[];
  let label: string;
  let note: string;
  if (tab === 'prices') {
    lines = [
      { name: 'mark', color: '#4f9dff', hold: 'next', points: prices.map((point) => ({ time: point.time, value: toChartNumber(point.mark) })) },
      { name: 'index', color: '#f0b90b', hold: 'next', points: prices.filter((point) => point.index !== null).map((point) => ({ time: point.time, value: toChartNumber(point.index!) })) }
    ];
    label = 'Mark and index price over time';
    note = 'Time-weighted means between the chain\'s stored TWAP samples (its last funding window), then each new block.';
  } else if (tab === 'funding') {
    lines = [
      { name: 'longs pay % of index', color: '#2ebd85', kind: 'histogram', points: funding.map((point) => ({ time: point.time, value: toChartNumber(fundingRateOfIndex(point.longRate, point.indexTwap) * 100n) })) },
      { name: 'shorts receive % of index', color: '#f6465d', kind: 'histogram', points: funding.map((point) => ({ time: point.time + 1, value: toChartNumber(fundingRateOfIndex(point.shortRate, point.indexTwap) * 100n) })) }
    ];
    label = 'Funding rate at each settlement';
    note = funding.length === 0 ? 'No funding settlement in the blocks read so far.' : `${funding.length} settlement${funding.length === 1 ? '' : 's'}.`;
  } else {
    let realized = 0n;
    const trades = account === null ? [] : history.trades.filter((trade) => trade.who === account);
    const realizedPoints = trades.map((trade) => {
      realized += trade.realizedPnl - trade.fee - trade.funding - trade.penalty;
      return { time: trade.time, value: toChartNumber(realized) };
    });
    const unrealized = account === null ? [] : (history.unrealized.get(account) ?? []);
    lines = [
      { name: 'realised (net of fees, funding)', color: '#2ebd85', hold: 'previous', points: realizedPoints },
      { name: 'unrealised', color: '#b388ff', hold: 'previous', points: unrealized.map((point) => ({ time: point.time, value: toChartNumber(point.value) })) }
    ];
    label = 'Your realised and unrealised PnL over time';
    note = account === null ? 'Choose an account.' : 'Realised from your trades\' events in the blocks read; unrealised since this page opened.';
  }
  // The tab pattern: arrow keys move between tabs, Tab moves on to the chart's panel.
  const onTabKey = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    event.preventDefault();
    const position = TABS.findIndex((candidate) => candidate.id === tab);
    const next = TABS[(position + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length].id;
    setTab(next);
    document.getElementById(`chart-tab-${next}`)?.focus();
  };
  const scanned = history.scanning ? ' Reading past blocks…' : history.scannedFrom !== null ? ` Events read from block #${history.scannedFrom}.` : '';
  return (
    <section class="panel charts" aria-labelledby="charts-title">
      <h2 id="charts-title" class="sr-only">Charts</h2>
      <div role="tablist" aria-label="Charts" class="tabs" onKeyDown={onTabKey}>
        {TABS.map((candidate) => (
          <button
            key={candidate.id}
            id={`chart-tab-${candidate.id}`}
            type="button"
            role="tab"
            aria-selected={tab === candidate.id}
            aria-controls="chart-panel"
            tabIndex={tab === candidate.id ? 0 : -1}
            onClick={() => setTab(candidate.id)}
          >{candidate.label}</button>
        ))}
      </div>
      <div id="chart-panel" role="tabpanel" aria-labelledby={`chart-tab-${tab}`}>
        {/* One chart per tab and market: each keeps its own series and fits its own data. */}
        <Chart key={`${tab}-${market}`} lines={lines} label={label} />
        <p class="muted small-print">{note}{scanned}</p>
      </div>
    </section>
  );
}
