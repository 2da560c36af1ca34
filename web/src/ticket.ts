// The order ticket's logic, free of UI and chain: typed fields → the call's arguments, the
// market's leverage range, and a quote → the slippage limit the call carries.

import { parseUnits, UNIT } from './format.ts';

export type Side = 'Long' | 'Short';

/** What the trader typed. */
export interface OrderForm {
  side: Side;
  margin: string;
  leverage: string;
  isolated: boolean;
  /** Percent, e.g. "0.5" for 0.5 %. */
  slippage: string;
}

export interface OrderArgs {
  side: Side;
  margin: bigint;
  leverage: bigint;
  isolated: boolean;
  /** Tolerance as an 18-decimal ratio (0.5 % = 5·10^15). */
  slippage: bigint;
}

export type FieldErrors = Partial<Record<'margin' | 'leverage' | 'slippage', string>>;

export type Checked<T> = { ok: true, value: T } | { ok: false, errors: FieldErrors };

/** The market's highest leverage, `1 / initial_margin_ratio` (rounded down). */
export function maxLeverage (initialMarginRatio: bigint): bigint {
  if (initialMarginRatio <= 0n) return 0n;
  return (UNIT * UNIT) / initialMarginRatio;
}

/** Slippage tolerance above which the page refuses: beyond it the "limit" protects nothing. */
export const MAX_SLIPPAGE = 50n * 10n ** 16n;

/** A tolerance typed in percent as an 18-decimal ratio. */
export function parseSlippage (text: string): Checked<bigint> {
  const parsed = parseUnits(text, 16);
  if (!parsed.ok) return { ok: false, errors: { slippage: parsed.error } };
  if (parsed.value > MAX_SLIPPAGE) return { ok: false, errors: { slippage: 'at most 50 %' } };
  return { ok: true, value: parsed.value };
}

/** Checks the form against the market's range and returns the call's arguments. */
export function orderArgs (form: OrderForm, initialMarginRatio: bigint): Checked<OrderArgs> {
  const errors: FieldErrors = {};
  const margin = parseUnits(form.margin);
  if (!margin.ok) errors.margin = margin.error;
  else if (margin.value === 0n) errors.margin = 'enter an amount above zero';
  const leverage = parseUnits(form.leverage);
  const max = maxLeverage(initialMarginRatio);
  if (!leverage.ok) errors.leverage = leverage.error;
  else if (leverage.value < UNIT) errors.leverage = 'at least 1x';
  else if (leverage.value > max) errors.leverage = `at most ${formatMax(max)}x on this market`;
  const slippage = parseSlippage(form.slippage);
  if (!slippage.ok) Object.assign(errors, slippage.errors);
  if (!margin.ok || !leverage.ok || !slippage.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { side: form.side, margin: margin.value, leverage: leverage.value, isolated: form.isolated, slippage: slippage.value }
  };
}

function formatMax (max: bigint): string {
  const whole = max / UNIT;
  const hundredths = (max % UNIT) / 10n ** 16n;
  return hundredths === 0n ? whole.toString() : `${whole}.${hundredths.toString().padStart(2, '0').replace(/0$/, '')}`;
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);
const divCeil = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * `open_position`'s `limit` for a quoted fill: a long must receive at least the quoted base
 * less the tolerance (rounded down), a short may give at most the quoted base plus the
 * tolerance (rounded up). Both directions round in the trader's favour of getting filled.
 */
export function openLimit (side: Side, exchangedSize: bigint, slippage: bigint): bigint {
  const base = abs(exchangedSize);
  return side === 'Long'
    ? (base * (UNIT - slippage)) / UNIT
    : divCeil(base * (UNIT + slippage), UNIT);
}

/**
 * `reduce_position`/`close_position`'s `limit` on quote: closing a long sells base and must
 * receive at least the quoted quote less the tolerance; closing a short buys base back and
 * may pay at most the quoted quote plus the tolerance.
 */
export function closeLimit (positionSize: bigint, exchangedNotional: bigint, slippage: bigint): bigint {
  return positionSize > 0n
    ? (exchangedNotional * (UNIT - slippage)) / UNIT
    : divCeil(exchangedNotional * (UNIT + slippage), UNIT);
}

/** The leverage slider's steps: 1x to the market's maximum by 0.1x, keyboard-steppable. */
export function leverageSteps (max: bigint): { min: number, max: number, step: number } {
  return { min: 1, max: Math.floor(Number(max / 10n ** 17n)) / 10, step: 0.1 };
}

/**
 * Funding's estimated rate for one side as a fraction of the index (10^18 = 100 %) per
 * period: the chain gives quote per unit of size, the trader compares percentages.
 * Positive = the side pays.
 */
export function fundingRateOfIndex (ratePerUnit: bigint, indexTwap: bigint): bigint {
  if (indexTwap === 0n) return 0n;
  return (ratePerUnit * UNIT) / indexTwap;
}

/** `|mark − index| / index` signed (mark above index = positive), 10^18 = 100 %. */
export function markIndexGap (mark: bigint, index: bigint): bigint {
  if (index === 0n) return 0n;
  return ((mark - index) * UNIT) / index;
}
