// Small pieces every panel uses: a labelled figure that carries its exact raw value (what
// tests compare), a ticking clock for ages and countdowns, and liquidation-price text.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import type { LiquidationPrice } from '@client/perp.ts';

import { formatUnits } from '../format.ts';

/** `Date.now()`, re-rendering every `periodMs`. */
export function useNow (periodMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** One "label: value" figure; `raw` is the exact chain integer behind the text. */
export function Figure ({ label, value, raw, testId, tone }: { label: string, value: ComponentChildren, raw?: bigint | string | null, testId?: string, tone?: 'good' | 'bad' | 'warn' }) {
  return (
    <div class="figure" data-testid={testId} data-raw={raw === undefined || raw === null ? undefined : raw.toString()}>
      <dt>{label}</dt>
      <dd class={tone}>{value}</dd>
    </div>
  );
}

/** The raw form tests compare: the price, or `never` / `always`. */
export function liquidationRaw (price: LiquidationPrice): string {
  if (price.isAt) return price.asAt.toString();
  return price.isNever ? 'never' : 'always';
}

export function liquidationText (price: LiquidationPrice): string {
  if (price.isAt) return formatUnits(price.asAt.toBigInt(), 18, 4);
  return price.isNever ? 'none (cannot be liquidated by price)' : 'now: already below maintenance';
}

/**
 * A signed figure's tone: gains green, losses red; a value that shows as zero at
 * `fraction` digits (a few raw units of rounding) stays neutral.
 */
export function toneOf (value: bigint, fraction = 6): 'good' | 'bad' | undefined {
  const visible = 10n ** BigInt(18 - fraction) / 2n;
  if (value >= visible) return 'good';
  if (value <= -visible) return 'bad';
  return undefined;
}
