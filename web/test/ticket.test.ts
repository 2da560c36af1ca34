import { describe, expect, test } from 'vitest';

import { UNIT } from '../src/format.ts';
import { closeLimit, fundingRateOfIndex, leverageSteps, markIndexGap, maxLeverage, openLimit, orderArgs, parseSlippage, type OrderForm } from '../src/ticket.ts';

const MILLI = 10n ** 15n;
const form = (change: Partial<OrderForm> = {}): OrderForm => ({ side: 'Long', margin: '1', leverage: '3', isolated: true, slippage: '0.5', ...change });

describe('leverage range from the market\'s initial margin ratio', () => {
  test('20 % → 5x, 10 % → 10x, 30 % → 3.33x (rounded down)', () => {
    expect(maxLeverage(200n * MILLI)).toBe(5n * UNIT);
    expect(maxLeverage(100n * MILLI)).toBe(10n * UNIT);
    expect(maxLeverage(300n * MILLI)).toBe(3_333_333_333_333_333_333n);
    expect(maxLeverage(0n)).toBe(0n);
  });
  test('slider steps stop at the maximum', () => {
    expect(leverageSteps(5n * UNIT)).toEqual({ min: 1, max: 5, step: 0.1 });
    expect(leverageSteps(3_333_333_333_333_333_333n)).toEqual({ min: 1, max: 3.3, step: 0.1 });
  });
});

describe('orderArgs: the form as the call\'s arguments', () => {
  test('a 3x isolated long with 1 unit of margin and 0.5 % slippage', () => {
    expect(orderArgs(form(), 200n * MILLI)).toEqual({
      ok: true,
      value: { side: 'Long', margin: UNIT, leverage: 3n * UNIT, isolated: true, slippage: 5n * MILLI }
    });
  });
  test('leverage outside 1x … max names the market\'s bound', () => {
    expect(orderArgs(form({ leverage: '5.01' }), 200n * MILLI)).toEqual({ ok: false, errors: { leverage: 'at most 5x on this market' } });
    expect(orderArgs(form({ leverage: '3.5' }), 300n * MILLI)).toEqual({ ok: false, errors: { leverage: 'at most 3.33x on this market' } });
    expect(orderArgs(form({ leverage: '0.9' }), 200n * MILLI)).toEqual({ ok: false, errors: { leverage: 'at least 1x' } });
    expect(orderArgs(form({ leverage: '5' }), 200n * MILLI).ok).toBe(true);
  });
  test('every field\'s problem at once', () => {
    expect(orderArgs(form({ margin: '0', leverage: 'x', slippage: '60' }), 200n * MILLI)).toEqual({
      ok: false,
      errors: { margin: 'enter an amount above zero', leverage: 'not a number', slippage: 'at most 50 %' }
    });
  });
  test('slippage in percent', () => {
    expect(parseSlippage('1')).toEqual({ ok: true, value: 10n * MILLI });
    expect(parseSlippage('0')).toEqual({ ok: true, value: 0n });
    expect(parseSlippage('0.01')).toEqual({ ok: true, value: 100n * 10n ** 12n });
  });
});

describe('limits from a quote', () => {
  // The trade test's 5x long: 497_512_437_810_945_273 base for 5 quote.
  const size = 497_512_437_810_945_273n;
  test('a long receives at least the quoted base less the tolerance, rounded down', () => {
    expect(openLimit('Long', size, 5n * MILLI)).toBe(495_024_875_621_890_546n);
    expect(openLimit('Long', size, 0n)).toBe(size);
  });
  test('a short gives at most the quoted base plus the tolerance, rounded up', () => {
    expect(openLimit('Short', -size, 5n * MILLI)).toBe(500_000_000_000_000_000n);
    expect(openLimit('Short', -3n, 5n * MILLI)).toBe(4n);
  });
  test('closing: a long receives at least, a short pays at most', () => {
    expect(closeLimit(size, 5n * UNIT - 7n, 10n * MILLI)).toBe(4_949_999_999_999_999_993n);
    expect(closeLimit(-size, 5n * UNIT, 10n * MILLI)).toBe(5_050_000_000_000_000_000n);
  });
});

describe('market figures', () => {
  test('mark vs index gap, signed', () => {
    expect(markIndexGap(10_100_249_999_999_999_999n, 10n * UNIT)).toBe(10_024_999_999_999_999n);
    expect(markIndexGap(9n * UNIT, 10n * UNIT)).toBe(-100n * MILLI);
    expect(markIndexGap(9n * UNIT, 0n)).toBe(0n);
  });
  test('funding per unit of size as a share of the index', () => {
    expect(fundingRateOfIndex(1_250_000_000_000_000n, 10n * UNIT)).toBe(125n * 10n ** 12n);
    expect(fundingRateOfIndex(-1_250_000_000_000_000n, 10n * UNIT)).toBe(-125n * 10n ** 12n);
  });
});
