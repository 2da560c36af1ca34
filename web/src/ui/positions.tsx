// Open positions, valued by `PerpApi` at the best block, with their actions: add or remove
// margin (quoted by `quoteMargin`), reduce or close (quoted by `quoteReduce`).

import { useEffect, useRef, useState } from 'preact/hooks';

import type { PositionDetails, TradeQuote } from '@client/perp.ts';

import { describeDispatchError, type AccountView, type ChainError, type MarketView } from '../chain.ts';
import { formatLeverage, formatPercent, formatSigned, formatUnits, parseUnits, toDecimalText } from '../format.ts';
import { closeLimit, parseSlippage } from '../ticket.ts';
import type { AppContext } from './context.ts';
import { Figure, liquidationRaw, liquidationText, toneOf } from './common.tsx';

type Action = 'add' | 'remove' | 'reduce' | 'close';

const ACTION_LABELS: Record<Action, string> = {
  add: 'Add margin',
  remove: 'Remove margin',
  reduce: 'Reduce',
  close: 'Close'
};

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

export function Positions ({ ctx, account, markets, slippage }: { ctx: AppContext, account: AccountView | null, markets: MarketView[], slippage: string }) {
  const [open, setOpen] = useState<{ market: number, action: Action } | null>(null);
  const summary = account?.summary ?? null;
  const positions = summary?.positions ?? [];
  if (ctx.account === null) return <section class="panel positions" aria-labelledby="positions-title"><h2 id="positions-title">Positions</h2><p class="muted">Choose an account.</p></section>;
  return (
    <section class="panel positions" aria-labelledby="positions-title">
      <h2 id="positions-title">Positions</h2>
      {positions.length === 0 && <p class="muted" data-testid="no-positions">No open positions.</p>}
      {positions.length > 0 && (
        <div class="table-scroll">
          <table data-testid="positions">
            <thead>
              <tr>
                <th scope="col">Market</th><th scope="col">Size</th><th scope="col">Entry</th><th scope="col">Mark</th>
                <th scope="col">Notional</th><th scope="col">Unrealised PnL</th><th scope="col">Pending funding</th><th scope="col">Margin</th>
                <th scope="col">MR</th><th scope="col">Liq. price</th><th scope="col">Leverage</th><th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {positions.map((position) => {
                const id = position.market.toNumber();
                const market = markets.find((candidate) => candidate.id === id);
                const size = position.baseSize.toBigInt();
                const upnl = position.unrealizedPnl.toBigInt();
                const funding = position.pendingFunding.toBigInt();
                const mr = position.marginRatio.isSome ? position.marginRatio.unwrap().toBigInt() : null;
                return [
                  <tr key={`row-${id}`} data-testid={`position-${id}`}>
                    <th scope="row">
                      {market?.name ?? `Market ${id}`}
                      <span class="sub"><span class={size > 0n ? 'good' : 'bad'} data-testid="pos-side">{size > 0n ? 'Long' : 'Short'}</span> <span class="muted">· {position.isolated.isTrue ? 'isolated' : 'cross'}</span></span>
                    </th>
                    <td data-label="Size" data-testid="pos-size" data-raw={size.toString()}>{formatUnits(abs(size), 18, 6)}</td>
                    <td data-label="Entry" data-testid="pos-entry" data-raw={position.entryPrice.toString()}>{formatUnits(position.entryPrice.toBigInt(), 18, 4)}</td>
                    <td data-label="Mark" data-testid="pos-mark" data-raw={market?.info.markPrice.toString()}>{market === undefined ? '—' : formatUnits(market.info.markPrice.toBigInt(), 18, 4)}</td>
                    <td data-label="Notional" data-testid="pos-notional" data-raw={position.exitNotional.toString()}>{formatUnits(position.exitNotional.toBigInt(), 18, 4)}</td>
                    <td data-label="Unrealised PnL" data-testid="pos-upnl" data-raw={upnl.toString()} class={toneOf(upnl)}>{formatSigned(upnl, 18, 6)}</td>
                    <td data-label="Pending funding" data-testid="pos-funding" data-raw={funding.toString()} class={toneOf(-funding)}>{funding === 0n ? '0' : `${funding > 0n ? 'owes' : 'earns'} ${formatUnits(abs(funding), 18, 6)}`}</td>
                    <td data-label="Margin" data-testid="pos-margin" data-raw={position.margin.toString()}>{formatUnits(position.margin.toBigInt(), 18, 4)}</td>
                    <td data-label="MR" data-testid="pos-mr" data-raw={mr?.toString()}>{mr === null ? '—' : formatPercent(mr)}</td>
                    <td data-label="Liq. price" data-testid="pos-liquidation" data-raw={liquidationRaw(position.liquidationPrice)}>{liquidationText(position.liquidationPrice)}</td>
                    <td data-label="Leverage" data-testid="pos-leverage" data-raw={position.leverage.isSome ? position.leverage.unwrap().toString() : undefined}>
                      {position.leverage.isSome ? formatLeverage(position.leverage.unwrap().toBigInt()) : 'underwater'}
                    </td>
                    <td class="actions">
                      {(Object.keys(ACTION_LABELS) as Action[]).map((action) => (
                        <button
                          key={action}
                          type="button"
                          class="small"
                          aria-expanded={open?.market === id && open.action === action}
                          onClick={() => setOpen(open?.market === id && open.action === action ? null : { market: id, action })}
                          data-testid={`action-${action}-${id}`}
                        >{ACTION_LABELS[action]}</button>
                      ))}
                    </td>
                  </tr>,
                  open?.market === id && (
                    <tr key={`action-${id}`} class="action-row">
                      <td colSpan={12}>
                        <ActionForm ctx={ctx} market={market} position={position} action={open.action} slippage={slippage} onDone={() => setOpen(null)} />
                      </td>
                    </tr>
                  )
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type Quoted =
  | { state: 'idle' }
  | { state: 'loading', key: string }
  | { state: 'trade', key: string, quote: TradeQuote }
  | { state: 'position', key: string, position: PositionDetails }
  | { state: 'refused', key: string, error: ChainError };

function ActionForm ({ ctx, market, position, action, slippage, onDone }: {
  ctx: AppContext, market: MarketView | undefined, position: PositionDetails, action: Action, slippage: string, onDone: () => void
}) {
  const id = position.market.toNumber();
  const size = position.baseSize.toBigInt();
  const [amount, setAmount] = useState(action === 'reduce' ? toDecimalText(abs(size) / 2n) : '1');
  const [quoted, setQuoted] = useState<Quoted>({ state: 'idle' });
  const [sending, setSending] = useState(false);
  const parsed = action === 'close' ? { ok: true as const, value: 0n } : parseUnits(amount);
  const tolerance = parseSlippage(slippage);
  const valid = parsed.ok && (action === 'close' || parsed.value > 0n);
  const key = valid ? `${action}/${id}/${parsed.value}` : null;
  const latest = useRef(key);
  latest.current = key;
  const account = ctx.account!;

  useEffect(() => {
    if (key === null || !parsed.ok) {
      setQuoted({ state: 'idle' });
      return;
    }
    const value = parsed.value;
    setQuoted((current) => (current.state !== 'idle' && current.key === key ? current : { state: 'loading', key }));
    const timer = setTimeout(() => {
      void (async () => {
        const perp = await ctx.chain.perp();
        let next: Quoted;
        if (action === 'add' || action === 'remove') {
          const result = await perp.quoteMargin(account.address, id, action === 'add' ? value : -value);
          next = result.isOk ? { state: 'position', key, position: result.asOk } : { state: 'refused', key, error: describeDispatchError(ctx.api, result.asErr) };
        } else {
          const result = await perp.quoteReduce(account.address, id, action === 'close' ? null : value);
          next = result.isOk ? { state: 'trade', key, quote: result.asOk } : { state: 'refused', key, error: describeDispatchError(ctx.api, result.asErr) };
        }
        if (latest.current === key) setQuoted(next);
      })().catch((error: unknown) => console.warn('quote failed', error));
    }, 200);
    return () => clearTimeout(timer);
  }, [key, ctx.blockNumber]);

  const current = quoted.state !== 'idle' && quoted.key === key ? quoted : null;
  const limit = current?.state === 'trade' && tolerance.ok ? closeLimit(size, current.quote.exchangedNotional.toBigInt(), tolerance.value) : null;
  // Nothing is sent without the chain's quote for exactly these inputs.
  const canSend = valid && !sending && (current?.state === 'position' || (current?.state === 'trade' && limit !== null));
  const name = market?.name ?? `market ${id}`;

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!canSend || !parsed.ok) return;
    const value = parsed.value;
    const trade = action === 'reduce' || action === 'close';
    if (trade && limit === null) return;
    const [label, tx] = action === 'add'
      ? [`Add ${formatUnits(value, 18, 4)} margin to ${name}`, ctx.api.tx.perp.addMargin(id, value)]
      : action === 'remove'
        ? [`Remove ${formatUnits(value, 18, 4)} margin from ${name}`, ctx.api.tx.perp.removeMargin(id, value)]
        : action === 'reduce'
          ? [`Reduce ${name} by ${formatUnits(value, 18, 6)}`, ctx.api.tx.perp.reducePosition(id, value, limit!)]
          : [`Close ${name}`, ctx.api.tx.perp.closePosition(id, limit!)];
    setSending(true);
    try {
      const done = await ctx.txlog.run(ctx.api, label, tx, account.signer);
      if (done !== null) onDone();
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="action-form" onSubmit={(event) => { void send(event); }} aria-label={`${ACTION_LABELS[action]}, ${name}`} data-testid={`action-form-${action}`}>
      <strong>{ACTION_LABELS[action]} · {name}</strong>
      {action !== 'close' && (
        <label class="field inline">
          <span>{action === 'reduce' ? 'Base to close' : `Amount (${ctx.collateralSymbol})`}</span>
          <input inputMode="decimal" autoComplete="off" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} data-testid="action-amount" autoFocus />
          {!parsed.ok && <small class="bad">{parsed.error}</small>}
        </label>
      )}
      <div class="quote" aria-live="polite" data-testid="action-quote" data-state={current?.state ?? 'idle'}>
        {current?.state === 'loading' && <span class="muted">Quoting…</span>}
        {current?.state === 'refused' && <p class="notice bad" data-testid="action-refused">{current.error.words}</p>}
        {current?.state === 'position' && <PositionAfter position={current.position} />}
        {current?.state === 'trade' && <TradeAfter quote={current.quote} limit={limit} long={size > 0n} />}
      </div>
      <button type="submit" class="primary" disabled={!canSend} data-testid={`confirm-${action}`}>{sending ? 'Waiting for the chain…' : `Confirm: ${ACTION_LABELS[action].toLowerCase()}`}</button>
    </form>
  );
}

function PositionAfter ({ position }: { position: PositionDetails }) {
  return (
    <dl class="figures compact">
      <Figure label="Margin after" value={formatUnits(position.margin.toBigInt(), 18, 4)} raw={position.margin.toBigInt()} testId="after-margin" />
      <Figure label="MR after" value={position.marginRatio.isSome ? formatPercent(position.marginRatio.unwrap().toBigInt()) : '—'} raw={position.marginRatio.isSome ? position.marginRatio.unwrap().toBigInt() : null} testId="after-mr" />
      <Figure label="Liq. price after" value={liquidationText(position.liquidationPrice)} raw={liquidationRaw(position.liquidationPrice)} testId="after-liquidation" />
      <Figure label="Leverage after" value={position.leverage.isSome ? formatLeverage(position.leverage.unwrap().toBigInt()) : '—'} raw={position.leverage.isSome ? position.leverage.unwrap().toBigInt() : null} />
    </dl>
  );
}

function TradeAfter ({ quote, limit, long }: { quote: TradeQuote, limit: bigint | null, long: boolean }) {
  const after = quote.positionAfter.isSome ? quote.positionAfter.unwrap() : null;
  return (
    <dl class="figures compact">
      <Figure label="Fill price" value={formatUnits(quote.fillPrice.toBigInt(), 18, 4)} raw={quote.fillPrice.toBigInt()} testId="after-fill" />
      <Figure label="Quote" value={formatUnits(quote.exchangedNotional.toBigInt(), 18, 4)} raw={quote.exchangedNotional.toBigInt()} />
      <Figure label="Fee" value={formatUnits(quote.fee.toBigInt(), 18, 6)} raw={quote.fee.toBigInt()} testId="after-fee" />
      <Figure label="Realised PnL" value={formatSigned(quote.realizedPnl.toBigInt(), 18, 6)} raw={quote.realizedPnl.toBigInt()} tone={toneOf(quote.realizedPnl.toBigInt())} testId="after-pnl" />
      <Figure label="Funding settled" value={formatSigned(-quote.fundingPayment.toBigInt(), 18, 6)} raw={quote.fundingPayment.toBigInt()} />
      {after === null
        ? <Figure label="Position after" value="closed" />
        : <>
          <Figure label="MR after" value={quote.marginRatioAfter.isSome ? formatPercent(quote.marginRatioAfter.unwrap().toBigInt()) : '—'} raw={quote.marginRatioAfter.isSome ? quote.marginRatioAfter.unwrap().toBigInt() : null} testId="after-mr" />
          <Figure label="Liq. price after" value={quote.liquidationPriceAfter.isSome ? liquidationText(quote.liquidationPriceAfter.unwrap()) : '—'} raw={quote.liquidationPriceAfter.isSome ? liquidationRaw(quote.liquidationPriceAfter.unwrap()) : null} testId="after-liquidation" />
        </>}
      {limit !== null && <Figure label={long ? 'Receives at least' : 'Pays at most'} value={formatUnits(limit, 18, 6)} raw={limit} testId="after-limit" />}
    </dl>
  );
}
