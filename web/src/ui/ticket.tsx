// The order ticket: side, margin, leverage (1x to the market's maximum), cross or isolated,
// slippage tolerance. While the trader types, `PerpApi.quoteOpen` runs with the same inputs
// and the ticket shows what the chain would do; a refused quote says why in words, and
// nothing is sent unless the quote is good.

import { useEffect, useRef, useState } from 'preact/hooks';

import type { TradeQuote } from '@client/perp.ts';

import { describeDispatchError, type ChainError, type MarketView } from '../chain.ts';
import { blocksOpening } from '../errors.ts';
import { formatLeverage, formatPercent, formatUnits } from '../format.ts';
import { leverageSteps, maxLeverage, openLimit, orderArgs, type OrderArgs, type OrderForm, type Side } from '../ticket.ts';
import type { AppContext } from './context.ts';
import { Figure, liquidationRaw, liquidationText } from './common.tsx';
import { openingBlocked } from './markets.tsx';

type QuoteState =
  | { state: 'idle' }
  | { state: 'loading', key: string }
  | { state: 'ok', key: string, quote: TradeQuote }
  | { state: 'refused', key: string, error: ChainError };

function argsKey (market: number, account: string, args: OrderArgs): string {
  return [market, account, args.side, args.margin, args.leverage, args.isolated].join('/');
}

/** Quotes are asked at most this often while typing. */
const QUOTE_DEBOUNCE_MS = 200;

export function Ticket ({ ctx, market, slippage, setSlippage }: { ctx: AppContext, market: MarketView, slippage: string, setSlippage: (value: string) => void }) {
  const [side, setSide] = useState<Side>('Long');
  const [margin, setMargin] = useState('1');
  const [leverage, setLeverage] = useState('2');
  const [isolated, setIsolated] = useState(true);
  const [quote, setQuote] = useState<QuoteState>({ state: 'idle' });
  const [sending, setSending] = useState(false);
  const form: OrderForm = { side, margin, leverage, isolated, slippage };
  const imr = market.info.params.initialMarginRatio.toBigInt();
  const max = maxLeverage(imr);
  const checked = orderArgs(form, imr);
  const account = ctx.account;
  const key = checked.ok && account !== null ? argsKey(market.id, account.address, checked.value) : null;
  const blocked = openingBlocked(market);
  const latest = useRef(key);
  latest.current = key;

  useEffect(() => {
    if (key === null || !checked.ok || account === null) {
      setQuote({ state: 'idle' });
      return;
    }
    const args = checked.value;
    setQuote((current) => (current.state !== 'idle' && current.key === key ? current : { state: 'loading', key }));
    const timer = setTimeout(() => {
      void ctx.chain.perp()
        .then(async (perp) => await perp.quoteOpen(account.address, market.id, args.side, args.margin, args.leverage, args.isolated))
        .then((result) => {
          if (latest.current !== key) return;
          setQuote(result.isOk ? { state: 'ok', key, quote: result.asOk } : { state: 'refused', key, error: describeDispatchError(ctx.api, result.asErr) });
        })
        .catch((error: unknown) => console.warn('quote failed', error));
    }, QUOTE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // The block number re-quotes as the chain moves.
  }, [key, ctx.blockNumber]);

  const current = quote.state !== 'idle' && quote.key === key ? quote : null;
  const refusedWords = current?.state === 'refused' ? current.error.words : null;
  const refusedBlocks = current?.state === 'refused' && blocksOpening(current.error.name);
  const canSend = account !== null && checked.ok && blocked === null && current?.state === 'ok' && !sending;

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    // Enter in any field lands here: the same checks as the button's.
    if (!canSend || current?.state !== 'ok' || !checked.ok || account === null) return;
    const args = checked.value;
    const limit = openLimit(args.side, current.quote.exchangedSize.toBigInt(), args.slippage);
    setSending(true);
    try {
      await ctx.txlog.run(
        ctx.api,
        `Open ${formatLeverage(args.leverage)} ${args.isolated ? 'isolated' : 'cross'} ${args.side.toLowerCase()}, margin ${formatUnits(args.margin, 18, 4)} on ${market.name}`,
        ctx.api.tx.perp.openPosition(market.id, args.side, args.margin, args.leverage, args.isolated, limit),
        account.signer
      );
    } finally {
      setSending(false);
    }
  };

  const steps = leverageSteps(max);
  const leverageNumber = checked.ok ? Number(checked.value.leverage / 10n ** 16n) / 100 : Number(leverage) || 1;
  const errors = checked.ok ? {} : checked.errors;
  const collateral = ctx.collateralSymbol;

  return (
    <form class="panel ticket" aria-labelledby="ticket-title" onSubmit={(event) => { void send(event); }} data-testid="ticket">
      <h2 id="ticket-title">Order · {market.name}</h2>
      <fieldset class="segmented" aria-label="Side">
        <legend class="sr-only">Side</legend>
        {(['Long', 'Short'] as const).map((option) => (
          <label key={option} class={`segment ${option === 'Long' ? 'long' : 'short'}`}>
            <input type="radio" name="side" value={option} checked={side === option} onChange={() => setSide(option)} data-testid={`side-${option.toLowerCase()}`} />
            <span>{option}</span>
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>Margin ({collateral})</span>
        <input inputMode="decimal" autoComplete="off" value={margin} onInput={(event) => setMargin(event.currentTarget.value)} aria-invalid={errors.margin !== undefined} aria-describedby="margin-error" data-testid="margin" />
        {errors.margin && <small id="margin-error" class="bad">{errors.margin}</small>}
      </label>
      <label class="field">
        <span>Leverage (1x – {formatLeverage(max)})</span>
        <span class="leverage-row">
          <input type="range" min={steps.min} max={steps.max} step={steps.step} value={Math.min(Math.max(leverageNumber, steps.min), steps.max)}
            onInput={(event) => setLeverage(event.currentTarget.value)} aria-label="Leverage slider" data-testid="leverage-slider" />
          <input class="short-input" inputMode="decimal" autoComplete="off" value={leverage} onInput={(event) => setLeverage(event.currentTarget.value)}
            aria-label="Leverage" aria-invalid={errors.leverage !== undefined} aria-describedby="leverage-error" data-testid="leverage" />
        </span>
        {errors.leverage && <small id="leverage-error" class="bad">{errors.leverage}</small>}
      </label>
      <fieldset class="segmented" aria-label="Margin mode">
        <legend class="sr-only">Margin mode</legend>
        <label class="segment">
          <input type="radio" name="mode" checked={!isolated} onChange={() => setIsolated(false)} data-testid="mode-cross" />
          <span>Cross</span>
        </label>
        <label class="segment">
          <input type="radio" name="mode" checked={isolated} onChange={() => setIsolated(true)} data-testid="mode-isolated" />
          <span>Isolated</span>
        </label>
      </fieldset>
      <label class="field">
        <span>Slippage tolerance (%)</span>
        <input class="short-input" inputMode="decimal" autoComplete="off" value={slippage} onInput={(event) => setSlippage(event.currentTarget.value)} aria-invalid={errors.slippage !== undefined} data-testid="slippage" />
        {errors.slippage && <small class="bad">{errors.slippage}</small>}
      </label>

      <div class="quote" aria-live="polite" data-testid="quote" data-state={current?.state ?? 'idle'}>
        {account === null && <p class="muted">Choose an account to see a quote.</p>}
        {blocked !== null && <p class="notice warn" data-testid="ticket-blocked">{blocked}</p>}
        {refusedWords !== null && !(refusedBlocks && blocked !== null) && <p class="notice bad" data-testid="quote-refused">{refusedWords}</p>}
        {current?.state === 'loading' && <p class="muted">Quoting…</p>}
        {current?.state === 'ok' && checked.ok && <QuoteFigures quote={current.quote} args={checked.value} />}
      </div>
      <button type="submit" class={`primary ${side === 'Long' ? 'long' : 'short'}`} disabled={!canSend} data-testid="confirm-open">
        {sending ? 'Waiting for the chain…' : checked.ok ? `Open ${formatLeverage(checked.value.leverage)} ${side.toLowerCase()}` : 'Open'}
      </button>
    </form>
  );
}

function QuoteFigures ({ quote, args }: { quote: TradeQuote, args: OrderArgs }) {
  const limit = openLimit(args.side, quote.exchangedSize.toBigInt(), args.slippage);
  const size = quote.exchangedSize.toBigInt();
  return (
    <dl class="figures compact">
      <Figure label="Size" value={formatUnits(size < 0n ? -size : size, 18, 6)} raw={size} testId="quote-size" />
      <Figure label="Notional" value={formatUnits(quote.exchangedNotional.toBigInt(), 18, 4)} raw={quote.exchangedNotional.toBigInt()} testId="quote-notional" />
      <Figure label="Fill price" value={formatUnits(quote.fillPrice.toBigInt(), 18, 4)} raw={quote.fillPrice.toBigInt()} testId="quote-fill" />
      <Figure label="Price impact" value={formatPercent(quote.priceImpact.toBigInt(), 3)} raw={quote.priceImpact.toBigInt()} testId="quote-impact" />
      <Figure label="Fee" value={formatUnits(quote.fee.toBigInt(), 18, 6)} raw={quote.fee.toBigInt()} testId="quote-fee" />
      <Figure
        label="Margin ratio after"
        value={quote.marginRatioAfter.isSome ? formatPercent(quote.marginRatioAfter.unwrap().toBigInt()) : '—'}
        raw={quote.marginRatioAfter.isSome ? quote.marginRatioAfter.unwrap().toBigInt() : null}
        testId="quote-mr"
      />
      <Figure
        label="Liquidation price after"
        value={quote.liquidationPriceAfter.isSome ? liquidationText(quote.liquidationPriceAfter.unwrap()) : '—'}
        raw={quote.liquidationPriceAfter.isSome ? liquidationRaw(quote.liquidationPriceAfter.unwrap()) : null}
        testId="quote-liquidation"
      />
      <Figure
        label={args.side === 'Long' ? 'Receives at least (base)' : 'Gives at most (base)'}
        value={formatUnits(limit, 18, 6)}
        raw={limit}
        testId="quote-limit"
      />
      <Figure label="Mark after" value={formatUnits(quote.markAfter.toBigInt(), 18, 4)} raw={quote.markAfter.toBigInt()} />
    </dl>
  );
}

