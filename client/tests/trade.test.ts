// A trader's round trip on a real dev node, through PerpApi as a wallet would use it:
// governance (sudo) lists collection 1 at mark 10, the oracle operator feeds the index,
// Bob deposits, asks `quoteOpen`, opens a 5x isolated long, reads its margin ratio and
// liquidation price, adds margin, closes and withdraws everything. Every number the quote
// promised is what the chain did. Collateral is ETH (an asset), fees for transactions are
// FLOOR (the native token): Bob's ETH moves by exactly the trading fees, the realised PnL
// and funding, his FLOOR by exactly the transaction fees.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, type RunningNode } from '../src/devnode.ts';
import { collateralAsset, collateralBalance, dispatchErrorName, eventBigInt, findEvent, marketParams, MILLI, perpApi, UNIT, type LiquidationPrice } from '../src/perp.ts';
import { signAndFinalize, type Finalized } from '../src/tx.ts';

const COLLECTION = 1;
const FIVE_X = 5n * UNIT;

let node: RunningNode;
let alice: KeyringPair;
let bob: KeyringPair;

before(async () => {
  await cryptoWaitReady();
  node = await startDevNode({ name: 'trade' });
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
});

after(async () => {
  await node?.stop();
});

function liquidationAt (price: LiquidationPrice): bigint {
  assert.ok(price.isAt, `a finite liquidation price, got ${price.toString()}`);
  return price.asAt.toBigInt();
}

async function floorBalance (api: ApiPromise, who: string, blockHash?: string): Promise<bigint> {
  const at = blockHash === undefined ? api : await api.at(blockHash);
  return (await at.query.system.account(who)).data.free.toBigInt();
}

/** Bob's transactions, with the transaction fee each one cost him. */
class Ledger {
  transactionFees = 0n;
  constructor (private readonly api: ApiPromise) {}

  async submit (tx: SubmittableExtrinsic<'promise'>): Promise<Finalized> {
    const result = await signAndFinalize(tx, bob);
    const paid = findEvent(result.events, 'transactionPayment', 'TransactionFeePaid');
    assert.equal(paid.event.data[0].toString(), bob.address);
    this.transactionFees += BigInt(paid.event.data[1].toString());
    return result;
  }
}

test('the runtime describes PerpApi in its metadata', async () => {
  const { api } = node;
  const apis = api.runtimeMetadata.asLatest.toJSON() as { apis?: Array<{ name: string, methods: Array<{ name: string }> }> };
  const perp = apis.apis?.find(({ name }) => name === 'PerpApi');
  assert.ok(perp, 'PerpApi in runtime metadata');
  assert.deepEqual(perp.methods.map(({ name }) => name).sort(),
    ['account_summary', 'market_info', 'position_info', 'quote_margin', 'quote_open', 'quote_reduce']);
  assert.equal(typeof api.call.perpApi?.quoteOpen, 'function');
});

test('Bob quotes, opens, adds margin, closes and withdraws; every unit is accounted for', async () => {
  const { api } = node;
  const perp = await perpApi(api);

  // Governance lists the collection at mark 10; the oracle operator feeds index 10.
  const created = await signAndFinalize(
    api.tx.sudo.sudo(api.tx.perp.createMarket(COLLECTION, 100n * UNIT, 1_000n * UNIT, marketParams(api))),
    alice
  );
  const market = Number(eventBigInt(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
  await signAndFinalize(api.tx.oracle.feedValues([[COLLECTION, 10n * UNIT]]), alice);

  const info = (await perp.marketInfo(market)).unwrap();
  assert.equal(info.collection.toNumber(), COLLECTION);
  assert.equal(info.markPrice.toBigInt(), 10n * UNIT);
  assert.equal(info.index.unwrap().price.toBigInt(), 10n * UNIT);
  assert.equal(info.indexFresh.isTrue, true);
  assert.equal(info.paused.isTrue, false);

  const ledger = new Ledger(api);
  assert.equal(collateralAsset(api), 1, 'collateral is the ETH asset');
  const ethStart = await collateralBalance(api, bob.address);
  const floorStart = await floorBalance(api, bob.address);
  const deposit = 10n * UNIT;
  await ledger.submit(api.tx.perp.deposit(deposit));

  // Charlie deposited nothing: the quote names the error his trade would fail with.
  const charlie = new Keyring({ type: 'sr25519' }).addFromUri('//Charlie');
  const refused = await perp.quoteOpen(charlie.address, market, 'Long', UNIT, FIVE_X, true);
  assert.ok(refused.isErr);
  assert.equal(dispatchErrorName(api, refused.asErr), 'perp.InsufficientCollateral');

  // 1 unit of margin at 5x: 5 quote into 100 base / 1000 quote.
  const quoted = await perp.quoteOpen(bob.address, market, 'Long', UNIT, FIVE_X, true);
  assert.ok(quoted.isOk, `quote failed: ${quoted.isErr ? dispatchErrorName(api, quoted.asErr) : ''}`);
  const quote = quoted.asOk;
  // 100 − ⌈10^41 / 1005⌉ base; mark 1005 / 99.50…; average ⌈5 / size⌉; fee ⌈0.3 % × 5⌉.
  assert.equal(quote.exchangedSize.toBigInt(), 497_512_437_810_945_273n);
  assert.equal(quote.exchangedNotional.toBigInt(), 5n * UNIT);
  assert.equal(quote.markBefore.toBigInt(), 10n * UNIT);
  assert.equal(quote.markAfter.toBigInt(), 10_100_249_999_999_999_999n);
  assert.equal(quote.fillPrice.toBigInt(), 10_050_000_000_000_000_013n);
  assert.equal(quote.priceImpact.toBigInt(), 5_000_000_000_000_002n);
  assert.equal(quote.fee.toBigInt(), 15n * MILLI);
  assert.equal(quote.marginCommitted.toBigInt(), UNIT);
  // (1 − 7 raw) / (5 − 7 raw): the exit value is 7 raw units under cost.
  assert.equal(quote.marginRatioAfter.unwrap().toBigInt(), 199_999_999_999_999_998n);
  const quotedLiquidation = liquidationAt(quote.liquidationPriceAfter.unwrap());
  assert.equal(quotedLiquidation, 9_232_496_402_445_264_101n);

  const opened = await ledger.submit(api.tx.perp.openPosition(market, 'Long', UNIT, FIVE_X, true, 0));
  const openEvent = findEvent(opened.events, 'perp', 'PositionChanged');
  assert.equal(eventBigInt(openEvent, 'exchangedSize'), quote.exchangedSize.toBigInt());
  assert.equal(eventBigInt(openEvent, 'exchangedNotional'), quote.exchangedNotional.toBigInt());
  assert.equal(eventBigInt(openEvent, 'markPrice'), quote.markAfter.toBigInt());
  const openFee = eventBigInt(openEvent, 'fee');
  assert.equal(openFee, quote.fee.toBigInt());

  const atOpen = await perpApi(api, opened.blockHash);
  const position = (await atOpen.positionInfo(bob.address, market)).unwrap();
  // Exactly what the quote said the position would be, byte for byte.
  assert.equal(position.toHex(), quote.positionAfter.unwrap().toHex());
  assert.equal(position.marginRatio.unwrap().toBigInt(), quote.marginRatioAfter.unwrap().toBigInt());
  assert.equal(liquidationAt(position.liquidationPrice), quotedLiquidation);
  assert.equal(position.isolated.isTrue, true);
  assert.equal(position.baseSize.toBigInt(), 497_512_437_810_945_273n);
  assert.equal(position.margin.toBigInt(), UNIT);
  assert.equal(position.unrealizedPnl.toBigInt(), -7n);
  assert.equal(position.leverage.unwrap().toBigInt(), 5_000_000_000_000_000_029n);

  // Another unit of margin: MR (2 − 7 raw) / exit doubles, the liquidation price falls.
  const added = await ledger.submit(api.tx.perp.addMargin(market, UNIT));
  const topped = (await (await perpApi(api, added.blockHash)).positionInfo(bob.address, market)).unwrap();
  assert.equal(topped.margin.toBigInt(), 2n * UNIT);
  assert.equal(topped.marginRatio.unwrap().toBigInt(), 399_999_999_999_999_999n);
  assert.ok(topped.marginRatio.unwrap().toBigInt() > position.marginRatio.unwrap().toBigInt());
  assert.equal(liquidationAt(topped.liquidationPrice), 6_919_949_566_023_063_365n);
  assert.equal(topped.leverage.unwrap().toBigInt(), 2_500_000_000_000_000_006n);

  const closed = await ledger.submit(api.tx.perp.closePosition(market, 0));
  const closeEvent = findEvent(closed.events, 'perp', 'PositionChanged');
  assert.equal(eventBigInt(closeEvent, 'size'), 0n);
  const closeFee = eventBigInt(closeEvent, 'fee');
  const realizedPnl = eventBigInt(closeEvent, 'realizedPnl');
  const funding = eventBigInt(openEvent, 'fundingPayment') + eventBigInt(closeEvent, 'fundingPayment');
  // Selling the base back yields 5 − 7 raw; the fee on that rounds up to 0.015.
  assert.equal(realizedPnl, -7n);
  assert.equal(closeFee, 15n * MILLI);
  assert.equal(eventBigInt(closeEvent, 'markPrice'), 10n * UNIT);

  const atClose = await perpApi(api, closed.blockHash);
  assert.ok((await atClose.positionInfo(bob.address, market)).isNone);
  const summary = (await atClose.accountSummary(bob.address)).asOk;
  assert.equal(summary.positions.length, 0);
  assert.ok(summary.marginRatio.isNone);
  const everything = summary.collateral.toBigInt();
  assert.equal(everything, deposit - openFee - closeFee + realizedPnl - funding);
  assert.equal(summary.withdrawable.toBigInt(), everything);

  const withdrawn = await ledger.submit(api.tx.perp.withdraw(everything));
  assert.equal(eventBigInt(findEvent(withdrawn.events, 'perp', 'Withdrawn'), 'collateral'), 0n);

  const ethEnd = await collateralBalance(api, bob.address, withdrawn.blockHash);
  const floorEnd = await floorBalance(api, bob.address, withdrawn.blockHash);
  assert.ok(ledger.transactionFees > 0n);
  assert.equal(ethEnd - ethStart, -openFee - closeFee + realizedPnl - funding,
    'ETH moved by exactly −trading fees + realised PnL − funding');
  assert.equal(floorEnd - floorStart, -ledger.transactionFees, 'FLOOR moved by exactly the transaction fees');
});
