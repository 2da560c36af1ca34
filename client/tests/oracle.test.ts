// The true-floor oracle end to end: a dev node whose operator (Alice, the dev validator)
// reads a replayed marketplace feed. Governance configures the collection; the node's
// offchain worker polls the replay server through `--oracle-endpoint`, computes the floor
// from the sales as they appear, signs a feed with Alice's operator key (a session key of
// the dev chain) and the index on chain follows.

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, type RunningNode } from '../src/devnode.ts';
import { findEvent } from '../src/perp.ts';
import { startReplay, type RunningReplay } from '../src/replay.ts';
import { signAndFinalize, waitForEvent } from '../src/tx.ts';

const COLLECTION = 1;
/** 12 BAYC-shaped sales over a day of history, replayed at an hour per second. */
const SALES = resolve(import.meta.dirname, '..', '..', 'tools', 'marketplace-replay', 'tests', 'fixtures', 'sales.csv');
const FEED_DEADLINE_MS = 90_000;

let replay: RunningReplay;
let node: RunningNode;
let alice: KeyringPair;

before(async () => {
  await cryptoWaitReady();
  replay = await startReplay(SALES, 3_600);
  node = await startDevNode({
    name: 'oracle',
    args: [`--oracle-endpoint=reservoir=${replay.url}`, `--oracle-endpoint=opensea-v2=${replay.url}`]
  });
  alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
});

after(async () => {
  await node?.stop();
  await replay?.stop();
});

test('the index follows the floor the validator computes from replayed sales', async () => {
  const { api } = node;
  const fed = waitForEvent(api, ({ event }) =>
    event.section === 'trueFloor' && event.method === 'FloorsFed', FEED_DEADLINE_MS);
  const configured = await signAndFinalize(api.tx.sudo.sudo(api.tx.trueFloor.setCollection(COLLECTION, {
    contract: `0x${'bc'.repeat(20)}`,
    slug: 'boredapeyachtclub',
    sources: ['Reservoir', 'OpenSeaV2'],
    params: defaultFloorParams()
  })), alice);
  findEvent(configured.events, 'trueFloor', 'CollectionConfigured');

  const { record, blockHash } = await fed;
  const [operator, floors] = record.event.data as unknown as [{ toString: () => string }, Array<[{ toNumber: () => number }, { toBigInt: () => bigint }]>];
  assert.equal(operator.toString(), alice.address, 'fed by the dev validator as its operator account');
  assert.equal(floors.length, 1);
  assert.equal(floors[0][0].toNumber(), COLLECTION);
  const floor = floors[0][1].toBigInt();
  // The replayed sales trade between 63 and 99 ETH: the floor is a low quantile of them.
  assert.ok(floor >= 63n * 10n ** 18n && floor <= 99n * 10n ** 18n, `floor ${floor}`);

  const at = await api.at(blockHash);
  const raw = (await at.query.oracle.rawValues(alice.address, COLLECTION)).toJSON() as { value: number | string } | null;
  assert.ok(raw !== null, 'Alice\'s raw value is on chain');
  assert.equal(BigInt(raw.value), floor);
});

/** `true_floor::FloorParams::default()`, field by field (18-decimal ratios, seconds, wei). */
function defaultFloorParams (): Record<string, bigint | number> {
  const ONE = 10n ** 18n;
  return {
    tokenCooldown: 86_400,
    roundTripWindow: 7 * 86_400,
    memory: 1024,
    centreWindow: 50,
    minSamples: 5,
    extremeBand: 3n * ONE,
    madK: 3n * ONE,
    madFloor: ONE / 20n,
    maxStep: ONE / 10n,
    quantile: ONE / 10n,
    quantileWindow: 50,
    halfLife: 3_600,
    publishDeviation: ONE / 100n,
    heartbeat: 600,
    maxPrice: 10n ** 30n
  };
}
