// A trader's round trip through the page in a real browser against a real dev node: Bob
// (a dev account) deposits, types a 3x isolated long and sees exactly the margin ratio and
// liquidation price `PerpApi.quoteOpen` gives for the same inputs, confirms with the
// keyboard, finds his position with the figures `PerpApi.positionInfo` returns, adds margin,
// closes and withdraws; his balances move by exactly the fees and the realised PnL. Then a
// market whose index has gone stale shows "opening paused" and sends nothing. Each step's
// screenshot is kept in web/.artifacts/e2e/.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types-codec/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { SignerPayloadJSON } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Browser, Page } from 'playwright-core';

import { startDevNode, type RunningNode } from '@client/devnode.ts';
import { createMarket } from '@client/devseed.ts';
import { eventBigInt, eventField, marketParams, perpApi, UNIT, type LiquidationPrice } from '@client/perp.ts';
import { signAndFinalize } from '@client/tx.ts';

import { formatPercent, formatUnits } from '../src/format.ts';
import { ARTIFACTS, eventually, launchChromium, serveBuild } from './browser.ts';

const TRADED = { collection: 1, baseReserve: 100n * UNIT, quoteReserve: 1_000n * UNIT };
const STALE = { collection: 2, baseReserve: 100n * UNIT, quoteReserve: 1_000n * UNIT };

let node: RunningNode;
let site: Awaited<ReturnType<typeof serveBuild>>;
let browser: Browser;
let page: Page;
let alice: KeyringPair;
let bob: KeyringPair;
let step = 0;

before(async () => {
  await cryptoWaitReady();
  [node, site, browser] = await Promise.all([startDevNode({ name: 'web-trade' }), serveBuild(), launchChromium()]);
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
});

after(async () => {
  await browser?.close();
  await site?.close();
  await node?.stop();
});

async function screenshot (name: string): Promise<void> {
  step += 1;
  await page.screenshot({ path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function raw (testId: string, scope: Page | ReturnType<Page['getByTestId']> = page): Promise<string | null> {
  return await scope.getByTestId(testId).first().getAttribute('data-raw');
}

async function shown (testId: string, scope: Page | ReturnType<Page['getByTestId']> = page): Promise<string> {
  return (await scope.getByTestId(testId).first().locator('dd').textContent()) ?? '';
}

function liquidationRaw (price: LiquidationPrice): string {
  return price.isAt ? price.asAt.toString() : price.isNever ? 'never' : 'always';
}

/** Waits for the page's newest transaction to finalize; fails with the page's words if it failed. */
async function finalizedTx (count: number): Promise<string> {
  const newest = page.getByTestId('tx').first();
  let failure: string | null = null;
  await eventually(async () => {
    assert.equal(await page.getByTestId('tx').count(), count);
    const stage = await newest.getAttribute('data-stage');
    if (stage === 'failed') failure = await newest.getByTestId('tx-error').textContent();
    else assert.equal(stage, 'finalized');
  }, 60_000);
  assert.equal(failure, null, `the page's transaction failed: ${failure}`);
  const blockHash = await newest.getAttribute('data-block-hash');
  assert.ok(blockHash, 'the finalized transaction shows its block');
  return blockHash;
}

/** Bob's `perp.PositionChanged` event in the block `blockHash`. */
async function positionChange (blockHash: string): Promise<EventRecord> {
  const events = await (await node.api.at(blockHash)).query.system.events();
  const record = events.find((candidate) => candidate.event.section === 'perp' && candidate.event.method === 'PositionChanged' &&
    eventField(candidate, 'who').toString() === bob.address);
  assert.ok(record, `a PositionChanged event for Bob in ${blockHash}`);
  return record;
}

interface Collateral { asset: Codec | null }

function collateralOf (api: ApiPromise): Collateral {
  const published = (api.consts.perp as unknown as Record<string, (Codec & { isSome: boolean, unwrap: () => Codec }) | undefined>).collateralAssetId;
  return { asset: published?.isSome === true ? published.unwrap() : null };
}

/** Bob's free native balance and free collateral-token balance (the same when collateral is native). */
async function balances (api: ApiPromise, collateral: Collateral, blockHash?: string): Promise<{ native: bigint, collateral: bigint }> {
  const at = blockHash === undefined ? api : await api.at(blockHash);
  const native = (await at.query.system.account(bob.address)).data.free.toBigInt();
  if (collateral.asset === null) return { native, collateral: native };
  const assets = at.query.assets as unknown as { account: (id: Codec, who: string) => Promise<Codec & { isSome: boolean, unwrap: () => { balance: Codec } }> };
  const held = await assets.account(collateral.asset, bob.address);
  return { native, collateral: held.isSome ? BigInt(held.unwrap().balance.toString()) : 0n };
}

test('Bob trades a market end to end from the page; every figure is the chain\'s', async () => {
  const { api } = node;
  const perp = await perpApi(api);
  const collateral = collateralOf(api);

  // Governance lists two collections; the second's index goes stale one second after a feed.
  const market = await createMarket(api, alice, TRADED);
  const staleMarket = await createMarket(api, alice, STALE, marketParams(api, { maxOracleAge: 1 }));
  await signAndFinalize(api.tx.oracle.feedValues([[TRADED.collection, 10n * UNIT], [STALE.collection, 10n * UNIT]]), alice);

  await page.goto(`${site.url}/?rpc=ws://127.0.0.1:${node.rpcPort}`);
  await eventually(async () => assert.equal(await page.getByTestId('status').getAttribute('data-state'), 'connected'));
  await page.getByTestId(`market-${market}`).waitFor();
  await page.getByTestId(`market-${market}`).click();
  assert.equal(await raw('market-mark'), (10n * UNIT).toString());
  assert.equal(await raw('market-index'), (10n * UNIT).toString());

  // Bob is offered as a development account.
  const bobOption = page.locator(`[data-testid=account] option[data-address="${bob.address}"]`);
  assert.equal(await bobOption.textContent(), 'Bob (dev)');
  await page.getByTestId('account').selectOption({ label: 'Bob (dev)' });
  await screenshot('bob-chosen');

  const startHeader = await api.rpc.chain.getHeader();
  const start = await balances(api, collateral);

  // Deposit 10.
  await page.getByTestId('collateral-amount').fill('10');
  await page.getByTestId('deposit').click();
  await finalizedTx(1);
  await eventually(async () => assert.equal(await raw('collateral-deposited'), (10n * UNIT).toString()));
  await screenshot('deposited');

  // A 3x isolated long with 1 unit of margin, typed with the keyboard.
  await page.getByTestId('side-long').check();
  await page.getByTestId('mode-isolated').check();
  await page.getByTestId('margin').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await page.getByTestId('leverage').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  const ticket = page.getByTestId('ticket');
  await eventually(async () => assert.equal(await page.getByTestId('quote').getAttribute('data-state'), 'ok'));
  const quote = (await perp.quoteOpen(bob.address, market, 'Long', UNIT, 3n * UNIT, true)).asOk;
  const quotedMr = quote.marginRatioAfter.unwrap().toBigInt();
  const quotedLiquidation = quote.liquidationPriceAfter.unwrap();
  assert.ok(quotedLiquidation.isAt);
  await eventually(async () => {
    assert.equal(await raw('quote-mr', ticket), quotedMr.toString());
    assert.equal(await raw('quote-liquidation', ticket), quotedLiquidation.asAt.toString());
  });
  assert.equal(await shown('quote-mr', ticket), formatPercent(quotedMr));
  assert.equal(await shown('quote-liquidation', ticket), formatUnits(quotedLiquidation.asAt.toBigInt(), 18, 4));
  assert.equal(await raw('quote-fill', ticket), quote.fillPrice.toString());
  assert.equal(await raw('quote-fee', ticket), quote.fee.toString());
  assert.equal(await raw('quote-impact', ticket), quote.priceImpact.toString());
  assert.equal(await raw('quote-size', ticket), quote.exchangedSize.toString());
  // 0.5 % slippage: at least 99.5 % of the quoted base, rounded down.
  assert.equal(await raw('quote-limit', ticket), ((quote.exchangedSize.toBigInt() * 995n) / 1000n).toString());
  await screenshot('quote-3x-isolated-long');

  // Enter confirms, as the button does.
  await page.getByTestId('leverage').press('Enter');
  const opened = await positionChange(await finalizedTx(2));
  assert.equal(eventBigInt(opened, 'exchangedSize'), quote.exchangedSize.toBigInt());
  assert.equal(eventBigInt(opened, 'fee'), quote.fee.toBigInt());

  // The position row carries exactly what PerpApi says.
  const row = page.getByTestId(`position-${market}`);
  await row.waitFor();
  await eventually(async () => {
    const position = (await perp.positionInfo(bob.address, market)).unwrap();
    const info = (await perp.marketInfo(market)).unwrap();
    assert.equal(await raw('pos-size', row), position.baseSize.toString());
    assert.equal(await raw('pos-entry', row), position.entryPrice.toString());
    assert.equal(await raw('pos-mark', row), info.markPrice.toString());
    assert.equal(await raw('pos-notional', row), position.exitNotional.toString());
    assert.equal(await raw('pos-upnl', row), position.unrealizedPnl.toString());
    assert.equal(await raw('pos-funding', row), position.pendingFunding.toString());
    assert.equal(await raw('pos-margin', row), position.margin.toString());
    assert.equal(await raw('pos-mr', row), position.marginRatio.unwrap().toString());
    assert.equal(await raw('pos-liquidation', row), liquidationRaw(position.liquidationPrice));
    assert.equal(await raw('pos-leverage', row), position.leverage.unwrap().toString());
    // What the quote promised is what the chain did.
    assert.equal(position.marginRatio.unwrap().toBigInt(), quotedMr);
    assert.equal(liquidationRaw(position.liquidationPrice), quotedLiquidation.asAt.toString());
    assert.equal(await row.getByTestId('pos-mr').textContent(), formatPercent(quotedMr));
  });
  await screenshot('position-open');

  // Add one unit of margin.
  await page.getByTestId(`action-add-${market}`).click();
  const addForm = page.getByTestId('action-form-add');
  await addForm.getByTestId('action-amount').fill('1');
  const afterAdding = (await perp.quoteMargin(bob.address, market, UNIT)).asOk;
  await eventually(async () => assert.equal(await raw('after-mr', addForm), afterAdding.marginRatio.unwrap().toString()));
  assert.equal(await raw('after-liquidation', addForm), liquidationRaw(afterAdding.liquidationPrice));
  assert.equal(await raw('after-margin', addForm), (2n * UNIT).toString());
  await screenshot('add-margin-quote');
  await eventually(async () => assert.equal(await addForm.getByTestId('confirm-add').isEnabled(), true));
  await addForm.getByTestId('confirm-add').click();
  await finalizedTx(3);
  await eventually(async () => {
    assert.equal(await raw('pos-margin', row), (2n * UNIT).toString());
    // The margin quote was what the chain did.
    assert.equal(await raw('pos-mr', row), afterAdding.marginRatio.unwrap().toString());
    assert.equal(await raw('pos-liquidation', row), liquidationRaw(afterAdding.liquidationPrice));
  });

  // Close the whole position.
  await page.getByTestId(`action-close-${market}`).click();
  const closeForm = page.getByTestId('action-form-close');
  const closing = (await perp.quoteReduce(bob.address, market, null)).asOk;
  assert.ok(closing.positionAfter.isNone, 'the quote closes the whole position');
  await eventually(async () => assert.equal(await raw('after-fill', closeForm), closing.fillPrice.toString()));
  assert.equal(await raw('after-pnl', closeForm), closing.realizedPnl.toString());
  assert.equal(await raw('after-fee', closeForm), closing.fee.toString());
  // 0.5 % slippage on the quote a long's close receives, rounded down.
  assert.equal(await raw('after-limit', closeForm), ((closing.exchangedNotional.toBigInt() * 995n) / 1000n).toString());
  await screenshot('close-quote');
  await eventually(async () => assert.equal(await closeForm.getByTestId('confirm-close').isEnabled(), true));
  await closeForm.getByTestId('confirm-close').click();
  const closed = await positionChange(await finalizedTx(4));
  assert.equal(eventBigInt(closed, 'size'), 0n);
  assert.equal(eventBigInt(closed, 'fee'), closing.fee.toBigInt());
  assert.equal(eventBigInt(closed, 'realizedPnl'), closing.realizedPnl.toBigInt());
  await page.getByTestId('no-positions').waitFor();

  // Withdraw everything that is left.
  const left = (await perp.accountSummary(bob.address)).asOk.withdrawable.toBigInt();
  await eventually(async () => assert.equal(await raw('collateral-withdrawable'), left.toString()));
  await page.getByTestId('withdraw-max').click();
  await page.getByTestId('withdraw').click();
  const lastBlock = await finalizedTx(5);
  await eventually(async () => assert.equal(await raw('collateral-deposited'), '0'));
  await screenshot('withdrawn');

  // Every unit accounted for: the transaction fees, the trading fees, realised PnL, funding.
  const end = await balances(api, collateral, lastBlock);
  const endNumber = (await api.rpc.chain.getHeader(lastBlock)).number.toNumber();
  let transactionFees = 0n;
  let tradingFees = 0n;
  let realized = 0n;
  let funding = 0n;
  let trades = 0;
  for (let number = startHeader.number.toNumber() + 1; number <= endNumber; number++) {
    const events = await (await api.at(await api.rpc.chain.getBlockHash(number))).query.system.events();
    for (const record of events) {
      const { section, method } = record.event;
      if (section === 'transactionPayment' && method === 'TransactionFeePaid' && record.event.data[0].toString() === bob.address) {
        transactionFees += BigInt(record.event.data[1].toString());
      }
      if (section === 'perp' && method === 'PositionChanged' && eventField(record, 'who').toString() === bob.address) {
        trades += 1;
        tradingFees += eventBigInt(record, 'fee');
        realized += eventBigInt(record, 'realizedPnl');
        funding += eventBigInt(record, 'fundingPayment');
      }
    }
  }
  assert.equal(trades, 2, 'one open and one close');
  assert.ok(transactionFees > 0n && tradingFees > 0n);
  assert.ok(collateral.asset !== null, 'collateral is the ETH asset');
  assert.equal(end.collateral - start.collateral, -tradingFees + realized - funding,
    'ETH moved by exactly −trading fees + realised PnL − funding');
  assert.equal(end.native - start.native, -transactionFees, 'FLOOR paid exactly the transaction fees');
  // And the page shows the wallet the chain has.
  await eventually(async () => assert.equal(await raw('wallet-native'), (await balances(api, collateral)).native.toString()));

  // A stale index: opening is paused, in words, and nothing is sent.
  await page.getByTestId(`market-${staleMarket}`).click();
  await page.getByTestId(`market-${staleMarket}`).getByTestId('badge-stale').waitFor();
  const blocked = page.getByTestId('ticket-blocked');
  await blocked.waitFor();
  assert.match((await blocked.textContent()) ?? '', /^Opening paused while the index is stale/);
  await page.getByTestId('margin').fill('1');
  await page.getByTestId('leverage').fill('3');
  assert.equal(await page.getByTestId('confirm-open').isDisabled(), true);
  const nonce = (await api.rpc.system.accountNextIndex(bob.address)).toNumber();
  await page.getByTestId('margin').press('Enter');
  await page.waitForTimeout(1_500);
  assert.equal(await page.getByTestId('tx').count(), 5, 'no transaction was started');
  assert.equal((await api.rpc.system.accountNextIndex(bob.address)).toNumber(), nonce, 'nothing reached the pool');
  const refusal = (await perp.quoteOpen(bob.address, staleMarket, 'Long', UNIT, 3n * UNIT, true));
  assert.ok(refusal.isErr);
  assert.equal(api.registry.findMetaError(refusal.asErr.asModule).name, 'OracleStale');
  await screenshot('stale-index-opening-paused');

  // Phone width: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId(`market-${market}`).click();
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow} px)`);
  await screenshot('phone');
});

test('an account from a browser extension (window.injectedWeb3) signs through the extension', async () => {
  const { api } = node;
  const perp = await perpApi(api);
  const dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
  let signed = 0;
  // The extension's side, as the polkadot.js extension signs: the payload it is handed,
  // encoded with the chain's signed extensions, signed by the key it holds.
  await page.exposeFunction('floorperpTestWalletSign', (payload: SignerPayloadJSON) => {
    signed += 1;
    return api.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(dave).signature;
  });
  // A string, not a function: the test's transpiler decorates functions with helpers that
  // do not exist in the page.
  await page.addInitScript(`
    window.injectedWeb3 = {
      'polkadot-js': {
        version: 'test',
        enable: async () => ({
          accounts: { get: async () => [{ address: '${dave.address}', name: 'Dave (test wallet)', type: 'sr25519' }] },
          signer: { signPayload: async (payload) => ({ id: 1, signature: await window.floorperpTestWalletSign(payload) }) }
        })
      }
    };
  `);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  await page.getByRole('button', { name: 'Connect polkadot{.js}' }).click();
  await page.getByTestId('account').selectOption({ label: 'Dave (test wallet)' });
  await page.getByTestId('collateral-amount').fill('1');
  await eventually(async () => assert.equal(await page.getByTestId('deposit').isEnabled(), true));
  await page.getByTestId('deposit').click();
  await finalizedTx(1);
  assert.equal(signed, 1, 'the extension signed the deposit');
  assert.equal((await perp.accountSummary(dave.address)).asOk.collateral.toBigInt(), UNIT);
  await eventually(async () => assert.equal(await raw('collateral-deposited'), UNIT.toString()));
  await screenshot('extension-account-deposited');
});
