import { describe, expect, test } from 'vitest';

import { blocksOpening, explainError } from '../src/errors.ts';
import { meansFromSamples } from '../src/history.ts';

const UNIT = 10n ** 18n;

describe('errors in words', () => {
  test('a stale index pauses opening, in words', () => {
    expect(explainError('perp.OracleStale')).toMatch(/^Opening paused while the index is stale/);
    expect(blocksOpening('perp.OracleStale')).toBe(true);
    expect(blocksOpening('perp.MarketPaused')).toBe(true);
    expect(blocksOpening('perp.InsufficientCollateral')).toBe(false);
  });
  test('an unlisted error falls back to the runtime\'s documentation', () => {
    expect(explainError('perp.VaultInsufficient', [' The vault cannot pay what it owes (an invariant is broken).'])).toBe('Vault insufficient: The vault cannot pay what it owes (an invariant is broken).');
    expect(explainError('system.CallFiltered')).toBe('Call filtered.');
  });
});

describe('mark and index means from TWAP accumulator samples', () => {
  test('differences over time; a wrapped accumulator still gives the mean', () => {
    const wrap = 1n << 128n;
    const samples = [
      { timestamp: 1_000n, mark: wrap - 600n * UNIT, index: 0n },
      { timestamp: 1_120n, mark: 600n * UNIT, index: 1_200n * UNIT },
      { timestamp: 1_240n, mark: 1_800n * UNIT, index: 1_200n * UNIT }
    ];
    expect(meansFromSamples(samples)).toEqual([
      { time: 1_120, mark: 10n * UNIT, index: 10n * UNIT },
      // No index observation in the interval: no index point rather than a zero price.
      { time: 1_240, mark: 10n * UNIT, index: null }
    ]);
  });
  test('samples at the same second are skipped', () => {
    expect(meansFromSamples([{ timestamp: 5n, mark: 0n, index: 0n }, { timestamp: 5n, mark: 1n, index: 1n }])).toEqual([]);
  });
});

describe('a transaction that never reached a block, in words', () => {
  test('the wallet declined, fees, a queued nonce', async () => {
    const { submissionWords } = await import('../src/txlog.ts');
    expect(submissionWords(new Error('Cancelled'))).toBe('You declined to sign in the wallet.');
    expect(submissionWords(new Error('1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low'))).toBe('Not enough FLOOR to pay the transaction fee.');
    expect(submissionWords(new Error('1014: Priority is too low: (1 vs 1)'))).toBe('A transaction from this account is already waiting: wait for it to be included.');
    expect(submissionWords('socket closed')).toBe('Not submitted: socket closed');
  });
});
