import { describe, expect, test } from 'vitest';

import { formatDuration, formatLeverage, formatPercent, formatSigned, formatUnits, parseUnits, shortAddress, toDecimalText, UNIT } from '../src/format.ts';

describe('formatUnits', () => {
  test('rounds half away from zero at the shown digit', () => {
    expect(formatUnits(1_234_500_000_000_000_000n, 18, 2)).toBe('1.23');
    expect(formatUnits(1_235_000_000_000_000_000n, 18, 2)).toBe('1.24');
    expect(formatUnits(-1_235_000_000_000_000_000n, 18, 2)).toBe('−1.24');
  });
  test('the trade test\'s liquidation price and fill', () => {
    expect(formatUnits(9_232_496_402_445_264_101n, 18, 4)).toBe('9.2325');
    expect(formatUnits(10_050_000_000_000_000_013n, 18, 4)).toBe('10.05');
    expect(formatUnits(10_050_000_000_000_000_013n, 18, 18)).toBe('10.050000000000000013');
  });
  test('groups thousands and keeps the minimum fraction', () => {
    expect(formatUnits(1_000_000n * UNIT, 18, 4)).toBe('1,000,000.00');
    expect(formatUnits(0n, 18, 4)).toBe('0.00');
    expect(formatUnits(15n * 10n ** 15n, 18, 6)).toBe('0.015');
  });
  test('a value that rounds to zero has no minus sign', () => {
    expect(formatUnits(-7n, 18, 6)).toBe('0.00');
    expect(formatSigned(-7n, 18, 6)).toBe('0.00');
  });
  test('other decimals', () => {
    expect(formatUnits(1_500_000n, 6, 2)).toBe('1.50');
  });
});

describe('signed, percent, leverage, durations', () => {
  test('signs', () => {
    expect(formatSigned(15n * 10n ** 15n, 18, 4)).toBe('+0.015');
    expect(formatSigned(-15n * 10n ** 15n, 18, 4)).toBe('−0.015');
  });
  test('the trade test\'s margin ratios as percentages', () => {
    expect(formatPercent(199_999_999_999_999_998n)).toBe('20.00 %');
    expect(formatPercent(399_999_999_999_999_999n)).toBe('40.00 %');
    expect(formatPercent(5_000_000_000_000_002n, 3)).toBe('0.500 %');
    expect(formatPercent(125n * 10n ** 12n, 4)).toBe('0.0125 %');
  });
  test('leverage', () => {
    expect(formatLeverage(5_000_000_000_000_000_029n)).toBe('5.00x');
    expect(formatLeverage(2_500_000_000_000_000_006n)).toBe('2.50x');
  });
  test('durations', () => {
    expect(formatDuration(12.7)).toBe('12 s');
    expect(formatDuration(250)).toBe('4 min 10 s');
    expect(formatDuration(3_900)).toBe('1 h 05 min');
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(3 * 86_400 + 7_200)).toBe('3 d 2 h');
  });
  test('addresses', () => {
    expect(shortAddress('5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty')).toBe('5FHneW…M694ty');
  });
});

describe('parseUnits', () => {
  test('exact integers from typed decimals', () => {
    expect(parseUnits('1')).toEqual({ ok: true, value: UNIT });
    expect(parseUnits('0.5')).toEqual({ ok: true, value: UNIT / 2n });
    expect(parseUnits('.5')).toEqual({ ok: true, value: UNIT / 2n });
    expect(parseUnits('1,000.25')).toEqual({ ok: true, value: 1_000_250_000_000_000_000_000n });
    expect(parseUnits(' 3 ')).toEqual({ ok: true, value: 3n * UNIT });
    expect(parseUnits('0.000000000000000001')).toEqual({ ok: true, value: 1n });
    expect(parseUnits('2.', 18)).toEqual({ ok: true, value: 2n * UNIT });
  });
  test('refuses what it cannot represent exactly', () => {
    expect(parseUnits('')).toEqual({ ok: false, error: 'enter an amount' });
    expect(parseUnits('-1')).toEqual({ ok: false, error: 'not a number' });
    expect(parseUnits('1e3')).toEqual({ ok: false, error: 'not a number' });
    expect(parseUnits('.')).toEqual({ ok: false, error: 'not a number' });
    expect(parseUnits('0.0000000000000000001')).toEqual({ ok: false, error: 'at most 18 decimals' });
  });
  test('round trip through the exact text', () => {
    for (const raw of [0n, 1n, UNIT, 9_232_496_402_445_264_101n, 497_512_437_810_945_273n]) {
      expect(parseUnits(toDecimalText(raw))).toEqual({ ok: true, value: raw });
    }
    expect(toDecimalText(-1_500_000_000_000_000_000n)).toBe('-1.5');
  });
});
