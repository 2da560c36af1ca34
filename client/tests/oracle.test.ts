// The true-floor oracle end to end: a dev node whose operator (Alice, the dev validator)
// reads a replayed day of BAYC sales from the three live sources the replay server speaks:
// OpenSea API v2 (the server refuses requests without the node's API key), LooksRare API v2
// and an Ethereum JSON-RPC node (Transfer logs, Seaport and Blur fills). Governance
// configures the collections; the node's offchain worker polls the server through
// `--oracle-endpoint`, computes each floor, signs a feed with Alice's operator key and the
// index on chain follows. Then LooksRare's endpoint is pointed at a path that never answers
// and ten collections read all three sources: their feeds keep arriving.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';

import '@polkadot/api-augment';

import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { stringToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startDevNode, type RunningNode } from '../src/devnode.ts';
import { startReplay, type RunningReplay } from '../src/replay.ts';

/** 12 BAYC-shaped sales over a day of history, replayed at an hour per second. */
const SALES = resolve(import.meta.dirname, '..', '..', 'tools', 'marketplace-replay', 'tests', 'fixtures', 'sales.csv');
const CONTRACT = `0x${'bc'.repeat(20)}`;
const API_KEY = 'oracle-test-key';
const ONE = 10n ** 18n;
/** The replayed sales trade between 63 and 99 ETH: a floor is a low quantile of them. */
const RANGE = [63n * ONE, 99n * ONE];
/** Phase 1: one collection per source. */
const BY_SOURCE = { 1: 'OpenSeaV2', 2: 'LooksRare', 3: 'EthereumLogs' } as const;
/** Phase 2: ten collections reading every source. */
const TEN = Array.from({ length: 10 }, (_, i) => 11 + i);

let replay: RunningReplay;
let node: RunningNode;
let alice: KeyringPair;

before(async () => {
  await cryptoWaitReady();
  // One-second blocks on the replayed chain, so its five confirmations pass in seconds.
  replay = await startReplay(SALES, 3_600, { openseaApiKey: API_KEY, blockTime: 1, contract: CONTRACT });
  node = await startDevNode({
    name: 'oracle',
    args: [
      `--oracle-endpoint=opensea-v2=${replay.url}`,
      `--oracle-endpoint=looksrare=${replay.url}`,
      `--oracle-endpoint=ethereum=${replay.url}/rpc`,
      `--oracle-api-key=opensea-v2=${API_KEY}`
    ]
  });
  alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
});

after(async () => {
  await node?.stop();
  await replay?.stop();
});

interface Feed { block: number, at: number, floors: Map<number, bigint> }

/**
 * Watches new blocks for `trueFloor.FloorsFed` until `done(feeds)` or `timeoutMs`; the feeds
 * seen (block, arrival time, floors by collection).
 */
async function watchFeeds (api: ApiPromise, done: (feeds: Feed[]) => boolean, timeoutMs: number): Promise<Feed[]> {
  const feeds: Feed[] = [];
  let unsubscribe: (() => void) | undefined;
  try {
    return await new Promise<Feed[]>((resolveFeeds, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${feeds.length} feeds`)), timeoutMs);
      api.rpc.chain.subscribeNewHeads((header) => {
        api.at(header.hash).then(async (at) => await at.query.system.events()).then((events) => {
          for (const { event } of events as unknown as EventRecord[]) {
            if (event.section !== 'trueFloor' || event.method !== 'FloorsFed') continue;
            const [, floors] = event.data as unknown as [unknown, Array<[{ toNumber: () => number }, { toBigInt: () => bigint }]>];
            feeds.push({
              block: header.number.toNumber(),
              at: Date.now(),
              floors: new Map(floors.map(([collection, floor]) => [collection.toNumber(), floor.toBigInt()]))
            });
          }
          if (done(feeds)) {
            clearTimeout(timer);
            resolveFeeds(feeds);
          }
        }).catch(reject);
      }).then((unsub) => { unsubscribe = unsub; }).catch(reject);
    });
  } finally {
    unsubscribe?.();
  }
}

/** Sudo-dispatches `calls` from Alice at consecutive nonces; resolves once all are in blocks. */
async function sudoAll (api: ApiPromise, calls: Array<ReturnType<ApiPromise['tx']['trueFloor']['setCollection']>>): Promise<void> {
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  await Promise.all(calls.map(async (call, i) => await new Promise<void>((resolveTx, reject) => {
    let unsubscribe: (() => void) | undefined;
    api.tx.sudo.sudo(call).signAndSend(alice, { nonce: nonce + i }, (result) => {
      if (result.dispatchError !== undefined) reject(new Error(`dispatch failed: ${result.dispatchError.toString()}`));
      const sudid = result.events.find(({ event }) => event.section === 'sudo' && event.method === 'Sudid');
      if (sudid !== undefined && (sudid.event.data[0] as unknown as { isErr: boolean }).isErr) reject(new Error(`sudo call failed: ${sudid.event.data[0].toString()}`));
      if (result.status.isInBlock) {
        unsubscribe?.();
        resolveTx();
      } else if (result.isError) {
        reject(new Error(`not included: ${result.status.type}`));
      }
    }).then((unsub) => { unsubscribe = unsub; }).catch(reject);
  })));
}

/**
 * `true_floor::FloorParams` defaults for a day replayed in 24 s: one-second burst buckets (an
 * hour of history each) and a heartbeat of `heartbeat` seconds.
 */
function floorParams (heartbeat: number): Record<string, bigint | number> {
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
    quantileWindow: 40,
    burstWindow: 1,
    burstCap: 1,
    burstTolerance: ONE / 20n,
    halfLife: 3_600,
    publishDeviation: ONE / 100n,
    heartbeat,
    maxPrice: 10n ** 30n
  };
}

function collection (sources: string[], heartbeat: number): Record<string, unknown> {
  return { contract: CONTRACT, slug: 'boredapeyachtclub', sources, params: floorParams(heartbeat) };
}

test('OpenSea v2 (with the API key), LooksRare v2 and Ethereum logs each feed a floor', async () => {
  const { api } = node;
  const entries = Object.entries(BY_SOURCE).map(([id, source]) => [Number(id), source] as const);
  const started = Date.now();
  const watching = watchFeeds(api, (feeds) => entries.every(([id]) => feeds.some((feed) => feed.floors.has(id))), 120_000);
  await sudoAll(api, entries.map(([id, source]) => api.tx.trueFloor.setCollection(id, collection([source], 120))));
  const feeds = await watching;

  for (const [id, source] of entries) {
    const fed = feeds.find((feed) => feed.floors.has(id));
    assert.ok(fed !== undefined);
    const floor = fed.floors.get(id) ?? 0n;
    assert.ok(floor >= RANGE[0] && floor <= RANGE[1], `${source}: floor ${floor}`);
    const raw = (await (await api.at(await api.rpc.chain.getBlockHash(fed.block))).query.oracle.rawValues(alice.address, id)).toJSON() as { value: number | string } | null;
    assert.ok(raw !== null, `${source}: Alice's raw value is on chain`);
    assert.equal(BigInt(raw.value), floor);
    console.log(`    ${source}: collection ${id} fed ${Number(floor * 10_000n / ONE) / 10_000} ETH in block #${fed.block}, ${((fed.at - started) / 1000).toFixed(1)} s after configuring`);
  }
});

test('ten collections keep being fed while LooksRare never answers', async () => {
  const { api } = node;
  // Point this node's LooksRare endpoint at a path the replay server never answers.
  const key = stringToHex('floorperp::true-floor::endpoint::looksrare');
  await api.rpc.offchain.localStorageSet('PERSISTENT', key, stringToHex(`${replay.url}/hang`));

  const complete = (feed: Feed): boolean => TEN.every((id) => feed.floors.has(id));
  const started = Date.now();
  const watching = watchFeeds(api, (feeds) => feeds.filter(complete).length >= 4, 150_000);
  await sudoAll(api, TEN.map((id) => api.tx.trueFloor.setCollection(id, collection(['OpenSeaV2', 'LooksRare', 'EthereumLogs'], 12))));
  const feeds = (await watching).filter(complete);

  const gaps = feeds.slice(1).map((feed, i) => (feed.at - feeds[i].at) / 1000);
  console.log(`    first feed of all ten ${((feeds[0].at - started) / 1000).toFixed(1)} s after configuring; then every ${gaps.map((gap) => gap.toFixed(1)).join(', ')} s (blocks ${feeds.map((feed) => feed.block).join(', ')})`);
  for (const feed of feeds) {
    for (const id of TEN) {
      const floor = feed.floors.get(id) ?? 0n;
      assert.ok(floor >= RANGE[0] && floor <= RANGE[1], `collection ${id}: floor ${floor}`);
    }
  }
  // A heartbeat of 12 s and runs of at most 8 s: feeds keep coming within a feed's validity.
  assert.ok(gaps.every((gap) => gap <= 30), `gaps ${gaps.join(', ')} s`);

  // The worker says which source is down, and why, once.
  const log = readFileSync(resolve(import.meta.dirname, '..', '.logs', 'oracle.log'), 'utf8');
  const warnings = log.split('\n').filter((line) => line.includes('looksrare is down for collection 11'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /no answer within the run's time budget/);
});
