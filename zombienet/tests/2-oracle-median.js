// Test 2: the index on chain is the median of the four operators' feeds, and it follows
// the replayed sales.
//
// Sudo configures two collections for the true-floor oracle (see network.toml for which
// server each validator reads): 1 from `looksrare` and `ethereum` (LooksRare API v2 events and
// the Seaport/Blur fills in an Ethereum node's logs, the same sales: one is read once), honest
// on every validator, and 2 from `opensea-v2` (with the validators' API key), which charlie
// reads from the doctored server (test 5 checks it). Each validator's offchain worker then
// polls the replay server through its own `--oracle-endpoint`, computes the floor and signs a
// feed with its `flor` key.
//
// For collection 1 the four validators read three honest but different mirrors (prices
// x1 for alice and dave, x1.02, x0.98), so their floors differ. In every finalized block from then on where all
// four operators have a value, `oracle.values(1)` must equal the median of
// `oracle.rawValues(op, 1)` to the wei (the four agree within the quorum's 10 %, so the
// quorum median is the median of all four);
// the run ends once each operator fed at least `args[0]` (default 3) times and the index took
// at least `args[1]` (default 4) distinct values. The replayed prices trend up, so the last
// index must be above the first, and every index within the sales' range.

const assert = require('node:assert/strict');
const { UNIT, VALIDATORS, devAccounts, field, findEvent, fmt, log, median, oracleView, shared, signAndFinalize, waitFor, withApis } = require('./lib.js');

const HONEST = 1;
const DOCTORED = 2;
/** The fixtures' prices stay within 9.5–24 ETH (fixtures/make-sales.mjs, 0.98x to 1.02x). */
const PRICE_RANGE = [9n * UNIT, 25n * UNIT];

/**
 * `true_floor::FloorParams` for a fast test: the defaults' filters, a quantile over the last
 * 20 accepted sales, burst buckets of 2 s (one sale each: the replay shows a sale every 2 s),
 * a 20 s smoothing half-life, and a publish on every 0.5 % move or at least every minute.
 */
function floorParams () {
  const ONE = 10n ** 18n;
  return {
    tokenCooldown: 86_400,
    roundTripWindow: 7 * 86_400,
    memory: 1024,
    centreWindow: 20,
    minSamples: 5,
    extremeBand: 3n * ONE,
    madK: 3n * ONE,
    madFloor: ONE / 20n,
    maxStep: ONE / 10n,
    quantile: ONE / 10n,
    quantileWindow: 20,
    burstWindow: 2,
    burstCap: 1,
    burstTolerance: ONE / 20n,
    halfLife: 20,
    publishDeviation: ONE / 200n,
    heartbeat: 60,
    maxPrice: 10n ** 30n
  };
}

async function run (_nodeName, networkInfo, args) {
  const minFeeds = Number(args[0] ?? 3);
  const minDistinct = Number(args[1] ?? 4);
  const accounts = await devAccounts();
  const operators = Object.fromEntries(VALIDATORS.map((name) => [name, accounts[name].address]));
  const nameOf = Object.fromEntries(VALIDATORS.map((name) => [accounts[name].address, name]));

  await withApis(networkInfo, ['alice'], async ({ alice: api }) => {
    const configure = (collection, sources, nonce) => signAndFinalize(api, api.tx.sudo.sudo(api.tx.trueFloor.setCollection(collection, {
      contract: `0x${'bc'.repeat(20)}`,
      slug: 'replay',
      sources,
      params: floorParams()
    })), accounts.alice, { nonce });
    const nonce = (await api.rpc.system.accountNextIndex(accounts.alice.address)).toNumber();
    const configured = await Promise.all([configure(HONEST, ['LooksRare', 'EthereumLogs'], nonce), configure(DOCTORED, ['OpenSeaV2'], nonce + 1)]);
    for (const { events } of configured) findEvent(events, 'trueFloor', 'CollectionConfigured');
    const from = Math.min(...configured.map(({ blockNumber }) => blockNumber));
    shared.collectionsConfiguredAt = from;
    log('oracle', `collections ${HONEST} (looksrare + ethereum) and ${DOCTORED} (opensea-v2) configured in finalized block #${Math.max(...configured.map(({ blockNumber }) => blockNumber))}`);

    const feeds = Object.fromEntries(VALIDATORS.map((name) => [name, 0]));
    const samples = [];
    let next = from + 1;
    await waitFor(`${minFeeds} feeds from each operator and ${minDistinct} index values`, async () => {
      const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; next <= finalized; next++) {
        const hash = (await api.rpc.chain.getBlockHash(next)).toHex();
        const events = await (await api.at(hash)).query.system.events();
        for (const record of events) {
          if (record.event.section !== 'trueFloor' || record.event.method !== 'FloorsFed') continue;
          const floors = field(record, 'floors').map(([collection]) => collection.toNumber());
          const operator = nameOf[field(record, 'operator').toString()];
          if (operator !== undefined && floors.includes(HONEST)) feeds[operator] += 1;
        }
        const view = await oracleView(api, hash, HONEST, operators);
        const raws = VALIDATORS.map((name) => view.raw[name]);
        if (raws.some((raw) => raw === null)) continue;
        assert.ok(view.index !== null, `#${next}: every operator's value but no index`);
        const expected = median(raws.map(({ value }) => value));
        assert.equal(view.index.value, expected,
          `#${next}: index ${view.index.value} is not the median of ${raws.map(({ value }) => value).join(', ')}`);
        assert.ok(view.index.value >= PRICE_RANGE[0] && view.index.value <= PRICE_RANGE[1],
          `#${next}: index ${fmt(view.index.value)} outside the replayed prices`);
        samples.push({ block: next, index: view.index.value, raws: raws.map(({ value }) => value) });
      }
      const distinct = new Set(samples.map(({ index }) => index)).size;
      return VALIDATORS.every((name) => feeds[name] >= minFeeds) && distinct >= minDistinct;
    }, 240_000, 2_000);

    const first = samples[0];
    const last = samples[samples.length - 1];
    const distinct = new Set(samples.map(({ index }) => index)).size;
    assert.ok(last.index > first.index, `the index rose with the replayed prices: ${fmt(first.index)} → ${fmt(last.index)}`);
    log('oracle', `feeds of collection ${HONEST} since #${from}:`, VALIDATORS.map((name) => `${name} ${feeds[name]}`).join(', '));
    log('oracle', `index = median of the four raw values in all ${samples.length} finalized blocks checked (#${first.block}–#${last.block}); ${distinct} distinct values`);
    log('oracle', `#${first.block}: index ${fmt(first.index)} ETH (raw ${first.raws.map((value) => fmt(value)).join(' / ')})`);
    log('oracle', `#${last.block}: index ${fmt(last.index)} ETH (raw ${last.raws.map((value) => fmt(value)).join(' / ')})`);
  });
}

module.exports = { run, floorParams };
