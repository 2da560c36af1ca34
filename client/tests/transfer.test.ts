// A polkadot.js wallet can transact on floorperp: Alice sends Bob a balance transfer signed
// with @polkadot/api through all of the runtime's transaction extensions, and the balances
// move by exactly the amount and the fee, 80 % of which reaches the treasury.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, waitForFinalized, type RunningNode } from '../src/devnode.ts';
import { signAndFinalize } from '../src/tx.ts';

const UNIT = 10n ** 18n;

let node: RunningNode;

before(async () => {
  await cryptoWaitReady();
  node = await startDevNode({ name: 'transfer' });
});

after(async () => {
  await node?.stop();
});

test('the dev chain produces blocks and GRANDPA finalizes them', async () => {
  const finalized = await waitForFinalized(node.api, 2, 60_000);
  assert.ok(finalized >= 2);
  const chain = await node.api.rpc.system.chain();
  assert.equal(chain.toString(), 'floorperp development');
  const properties = await node.api.rpc.system.properties();
  assert.equal(properties.tokenSymbol.unwrap()[0].toString(), 'FLOOR');
  assert.equal(properties.tokenDecimals.unwrap()[0].toNumber(), 18);
});

test('Alice transfers to Bob; balances change by exactly the amount and the fee', async () => {
  const { api } = node;
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const amount = 12n * UNIT + 345n * 10n ** 15n; // 12.345 FLOOR

  const treasury = api.consts.treasury.potAccount.toString();
  const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
  const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const treasuryBefore = (await api.query.system.account(treasury)).data.free.toBigInt();

  const { blockHash, events } = await signAndFinalize(
    api.tx.balances.transferKeepAlive(bob.address, amount),
    alice
  );

  const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
  assert.ok(transfer, 'a Balances.Transfer event');
  const [from, to, value] = transfer.event.data;
  assert.equal(from.toString(), alice.address);
  assert.equal(to.toString(), bob.address);
  assert.equal(BigInt(value.toString()), amount);
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)), 'ExtrinsicSuccess');

  const feePaid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  assert.ok(feePaid, 'a TransactionPayment.TransactionFeePaid event');
  const fee = BigInt(feePaid.event.data[1].toString());
  assert.ok(fee > 0n, 'transfers are not free');

  const at = await api.at(blockHash);
  const aliceAfter = (await at.query.system.account(alice.address)).data.free.toBigInt();
  const bobAfter = (await at.query.system.account(bob.address)).data.free.toBigInt();
  const treasuryAfter = (await at.query.system.account(treasury)).data.free.toBigInt();
  assert.equal(bobAfter - bobBefore, amount);
  // 80 % of the fee goes to the treasury; the rest to the block's author, which on the dev
  // chain is Alice herself (its only validator): she pays the amount and the treasury's part.
  const toTreasury = fee * 80n / 100n;
  assert.equal(treasuryAfter - treasuryBefore, toTreasury);
  assert.equal(aliceBefore - aliceAfter, amount + toTreasury);
});
