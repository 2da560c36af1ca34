// Turning the chain's 18-decimal integers into text a trader reads, and typed text back into
// exact integers. Everything is bigint: a float would lose the units the tests count.

/** One unit, 1.0 or 100 % (10^18 raw). */
export const UNIT = 10n ** 18n;

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

/** Groups an integer's digits by thousands: 1234567 → "1,234,567". */
function groupThousands (digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `raw` (scaled by 10^decimals) as a decimal with at most `fraction` fractional digits,
 * rounded half away from zero, trailing zeros kept up to `minFraction`.
 * `formatUnits(1_234_500_000_000_000_000n, 18, 2)` → "1.23" (1.2345 rounds down at the 3rd).
 */
export function formatUnits (raw: bigint, decimals = 18, fraction = 4, minFraction = Math.min(2, fraction)): string {
  const negative = raw < 0n;
  const scale = 10n ** BigInt(decimals);
  const shown = 10n ** BigInt(fraction);
  // Round |raw| to `fraction` digits: add half of the dropped unit, then truncate.
  const scaled = (abs(raw) * shown * 2n + scale) / (scale * 2n);
  const whole = scaled / shown;
  let fractional = fraction > 0 ? (scaled % shown).toString().padStart(fraction, '0') : '';
  while (fractional.length > minFraction && fractional.endsWith('0')) fractional = fractional.slice(0, -1);
  const text = groupThousands(whole.toString()) + (fractional.length > 0 ? `.${fractional}` : '');
  return negative && scaled !== 0n ? `−${text}` : text;
}

/** A signed amount with an explicit sign, e.g. "+0.0150" or "−0.0150". */
export function formatSigned (raw: bigint, decimals = 18, fraction = 4, minFraction = Math.min(2, fraction)): string {
  const text = formatUnits(raw, decimals, fraction, minFraction);
  return raw > 0n && /[1-9]/.test(text) ? `+${text}` : text;
}

/** A ratio (10^18 = 100 %) as a percentage: 199_999_999_999_999_998n → "20.00 %". */
export function formatPercent (ratio: bigint, fraction = 2): string {
  return `${formatUnits(ratio * 100n, 18, fraction, fraction)} %`;
}

/** A leverage (10^18 = 1x) as "5.00x". */
export function formatLeverage (raw: bigint): string {
  return `${formatUnits(raw, 18, 2, 2)}x`;
}

/** A duration in seconds as "1 h 05 min", "4 min 10 s" or "12 s". */
export function formatDuration (seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(s / 3600);
  if (hours < 48) return `${hours} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** An account address shortened for a table: "5FHneW…M694ty". */
export function shortAddress (address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

export type ParsedAmount = { ok: true, value: bigint } | { ok: false, error: string };

/**
 * A typed decimal as an exact integer scaled by 10^decimals. Accepts "1", "1.5", ".5",
 * "1,000.25" and "1_000"; refuses signs, exponents and more fractional digits than the
 * unit has (rather than silently rounding what the trader typed).
 */
export function parseUnits (text: string, decimals = 18): ParsedAmount {
  const cleaned = text.trim().replace(/[,_\s]/g, '');
  if (cleaned === '') return { ok: false, error: 'enter an amount' };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (match === null || (match[1] === '' && (match[2] ?? '') === '')) return { ok: false, error: 'not a number' };
  const [, whole, fractional = ''] = match;
  if (fractional.length > decimals) return { ok: false, error: `at most ${decimals} decimals` };
  const value = BigInt(whole === '' ? '0' : whole) * 10n ** BigInt(decimals) +
    BigInt(fractional.padEnd(decimals, '0') || '0');
  return { ok: true, value };
}

/** The exact decimal text of `raw` (no rounding, no grouping): a form field's value. */
export function toDecimalText (raw: bigint, decimals = 18): string {
  const negative = raw < 0n;
  const scale = 10n ** BigInt(decimals);
  const whole = abs(raw) / scale;
  const fractional = (abs(raw) % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fractional ? `.${fractional}` : ''}`;
}

/** A raw 18-decimal value as a float for charts only (never for amounts sent to the chain). */
export function toChartNumber (raw: bigint): number {
  return Number(raw / 10n ** 9n) / 1e9;
}
