// The node's own offchain worker liquidates an underwater position, with no keeper.
//
// Bob holds a 5x isolated long. The floor crashes: the oracle operator (Alice) feeds a lower
// index, and Charlie, an arbitrageur, shorts the mark down to it. Bob's margin ratio is now
// below maintenance. Nobody calls `liquidate`: within a few blocks the validator's offchain
// worker finds the position and submits an authorised liquidation. The block author (Alice,
// the only validator) earns the liquidator's half, the residual margin goes to the insurance
// fund, and Bob's other collateral is untouched because the position was isolated.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, type RunningNode } from '../src/devnode.ts';
import { eventBigInt, eventField, findEvent, marketParams, MILLI, perpApi, UNIT } from '../src/perp.ts';
import { signAndFinalize, waitForEvent } from '../src/tx.ts';

const COLLECTION = 7;
/** Six-second blocks: the offchain worker gets ten chances. */
const LIQUIDATION_DEADLINE_MS = 60_000;

let node: RunningNode;
let alice: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;

before(async () => {
  await cryptoWaitReady();
  node = await startDevNode({ name: 'liquidation' });
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
});

after(async () => {
  await node?.stop();
});

test('a position pushed below maintenance is liquidated by the validator\'s offchain worker', async () => {
  const { api } = node;
  const perp = await perpApi(api);

  // Every guard as a real market runs it, except the per-block fluctuation band: the crash
  // below is one arbitrage trade of 14 %, which the default 2 % band would split over blocks.
  const params = marketParams(api, { fluctuationLimit: 0n });
  const defaults = api.consts.perp.defaultMarketParams as unknown as { maintenanceMarginRatio: { toBigInt: () => bigint }, fullLiquidationRatio: { toBigInt: () => bigint } };
  const created = await signAndFinalize(
    api.tx.sudo.sudo(api.tx.perp.createMarket(COLLECTION, 100n * UNIT, 1_000n * UNIT, params)),
    alice
  );
  const market = Number(eventBigInt(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
  await signAndFinalize(api.tx.oracle.feedValues([[COLLECTION, 10n * UNIT]]), alice);

  await Promise.all([
    signAndFinalize(api.tx.perp.deposit(10n * UNIT), bob),
    signAndFinalize(api.tx.perp.deposit(100n * UNIT), charlie)
  ]);
  const opened = await signAndFinalize(api.tx.perp.openPosition(market, 'Long', UNIT, 5n * UNIT, true, 0), bob);
  const openFee = eventBigInt(findEvent(opened.events, 'perp', 'PositionChanged'), 'fee');

  // The floor crashes to 8.6. The index alone does not liquidate Bob: a position is
  // liquidatable only when its margin ratio on the curve (what closing it would realise)
  // and at the fair price (the worse of the mark TWAP and the index) are both below
  // maintenance, and the curve still says 10.
  const fed = await signAndFinalize(api.tx.oracle.feedValues([[COLLECTION, 8_600n * MILLI]]), alice);
  const afterFeed = (await (await perpApi(api, fed.blockHash)).positionInfo(bob.address, market)).unwrap();
  assert.ok(afterFeed.marginRatio.unwrap().toBigInt() > defaults.maintenanceMarginRatio.toBigInt(),
    'the index move alone leaves Bob above maintenance');

  // Charlie's 75-quote short takes the curve from 1005 to 930 quote: mark 930² / 10^5 = 8.649,
  // less one raw unit because the base reserve is rounded in the pool's favour.
  const watch = waitForEvent(api, (candidate) =>
    candidate.event.section === 'perp' && candidate.event.method === 'PositionLiquidated' &&
    eventField(candidate, 'who').toString() === bob.address, LIQUIDATION_DEADLINE_MS);
  const arbitrage = await signAndFinalize(api.tx.perp.openPosition(market, 'Short', 15n * UNIT, 5n * UNIT, true, 0), charlie);
  const markAfterArbitrage = eventBigInt(findEvent(arbitrage.events, 'perp', 'PositionChanged'), 'markPrice');
  assert.equal(markAfterArbitrage, 8_648_999_999_999_999_999n);

  const { record, blockHash, blockNumber } = await watch;
  const arbitrageBlock = (await api.rpc.chain.getHeader(arbitrage.blockHash)).number.toNumber();
  assert.ok(blockNumber > arbitrageBlock && blockNumber <= arbitrageBlock + 3,
    `liquidated in block ${blockNumber}, within three blocks of the crash in ${arbitrageBlock}`);

  const liquidator = eventField(record, 'liquidator');
  assert.equal(liquidator.toString(), alice.address, 'the block author earned the liquidator\'s half');
  assert.equal(eventField(record, 'full').toString(), 'true', 'below the full-liquidation ratio: closed entirely');
  const marginRatio = eventBigInt(record, 'marginRatio');
  assert.ok(marginRatio < defaults.fullLiquidationRatio.toBigInt(), `MR ${marginRatio} below 10 %`);
  assert.equal(eventBigInt(record, 'exchangedSize'), -497_512_437_810_945_273n, 'Bob\'s whole long was sold');

  const atLiquidation = await perpApi(api, blockHash);
  assert.ok((await atLiquidation.positionInfo(bob.address, market)).isNone, 'the position is gone');
  const summary = (await atLiquidation.accountSummary(bob.address)).asOk;
  assert.equal(summary.positions.length, 0);
  assert.equal(summary.collateral.toBigInt(), 10n * UNIT - UNIT - openFee,
    'an isolated liquidation never touches Bob\'s other collateral');

  // What was left of the 1-unit margin after the loss, the fee and the penalty went to the
  // insurance fund, tagged as a residual.
  const residual = UNIT + eventBigInt(record, 'realizedPnl') - eventBigInt(record, 'fundingPayment') -
    eventBigInt(record, 'fee') - eventBigInt(record, 'penalty');
  assert.ok(residual > 0n, 'no bad debt at MR > 0');
  const events = await (await api.at(blockHash)).query.system.events();
  const received = events.find((candidate) =>
    candidate.event.section === 'insurance' && candidate.event.method === 'Received' &&
    eventField(candidate, 'source').toString() === 'ResidualMargin');
  assert.ok(received !== undefined, 'an insurance.Received event for the residual margin');
  assert.equal(eventBigInt(received, 'amount'), residual);
});
