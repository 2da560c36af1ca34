// A governance voter's path through OpenGov on a dev node, as Polkadot-JS Apps does it:
// note the preimage of `perp.setMarketParams`, submit it as a referendum on the
// `market_admin` track, place the decision deposit, vote, and watch the chain enact it.
// The dev preset shortens every track (decide from the next block, confirm for 2 blocks,
// enact the block after); production periods are days (README). The same call signed by a
// plain account is refused.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, type RunningNode } from '../src/devnode.ts';
import { eventBigInt, findEvent, marketParams, MILLI, UNIT } from '../src/perp.ts';
import { signAndFinalize, waitForEvent } from '../src/tx.ts';

const COLLECTION = 3;
/** Submission, 1 block of preparation, 2 of confirmation, enactment: well within 20 blocks. */
const ENACTMENT_DEADLINE_MS = 120_000;

let node: RunningNode;
let alice: KeyringPair;
let bob: KeyringPair;

before(async () => {
  await cryptoWaitReady();
  node = await startDevNode({ name: 'governance' });
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
});

after(async () => {
  await node?.stop();
});

test('a market_admin referendum changes a market parameter; a signed call cannot', async () => {
  const { api } = node;
  const created = await signAndFinalize(
    api.tx.sudo.sudo(api.tx.perp.createMarket(COLLECTION, 100n * UNIT, 1_000n * UNIT, marketParams(api))),
    alice
  );
  const market = Number(eventBigInt(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
  const proposal = api.tx.perp.setMarketParams(market, marketParams(api, { feeRatio: 5n * MILLI }));

  // Signed by a plain account, the call is refused.
  await assert.rejects(signAndFinalize(proposal, bob), /BadOrigin/);

  // 1. The preimage: the call's bytes, stored on chain against a deposit.
  const call = proposal.method;
  await signAndFinalize(api.tx.preimage.notePreimage(call.toHex()), alice);

  // 2. The referendum, with the origin that picks the market_admin track.
  const submitted = await signAndFinalize(
    api.tx.referenda.submit(
      // Our runtime's `OriginCaller::Origins(MarketAdmin)`; api-augment only knows
      // Substrate's kitchensink origins, metadata knows ours.
      { Origins: 'MarketAdmin' } as unknown as Parameters<typeof api.tx.referenda.submit>[0],
      { Lookup: { hash: call.hash, len: call.encodedLength } },
      { After: 0 }
    ),
    alice
  );
  const index = Number(eventBigInt(findEvent(submitted.events, 'referenda', 'Submitted'), 'index'));
  const status = (await api.query.referenda.referendumInfoFor(index)).unwrap();
  assert.ok(status.isOngoing);
  assert.equal(status.asOngoing.track.toNumber(), 1, 'the market_admin track');

  // 3. The decision deposit, then two large aye votes.
  await signAndFinalize(api.tx.referenda.placeDecisionDeposit(index), alice);
  const enacted = waitForEvent(api, ({ event }) =>
    event.section === 'perp' && event.method === 'MarketParamsSet', ENACTMENT_DEADLINE_MS);
  const vote = (balance: bigint) =>
    ({ Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance } });
  await Promise.all([
    signAndFinalize(api.tx.convictionVoting.vote(index, vote(900_000n * UNIT)), alice),
    signAndFinalize(api.tx.convictionVoting.vote(index, vote(900_000n * UNIT)), bob)
  ]);

  // 4. Confirmed and enacted with the track's origin: the fee changed.
  const { blockHash, record } = await enacted;
  assert.equal(eventBigInt(record, 'market'), BigInt(market));
  const at = await api.at(blockHash);
  const events = await at.query.system.events();
  assert.ok(events.some(({ event }) => event.section === 'scheduler' && event.method === 'Dispatched' &&
    JSON.stringify(event.data.toJSON()).includes('"ok"')), 'the scheduler enacted it');
  const stored = (await at.query.perp.markets(market)).toJSON() as { params: { feeRatio: number | string } };
  assert.equal(BigInt(stored.params.feeRatio), 5n * MILLI);
  const outcome = (await at.query.referenda.referendumInfoFor(index)).unwrap();
  assert.ok(outcome.isApproved, `referendum ${outcome.type}`);
});
