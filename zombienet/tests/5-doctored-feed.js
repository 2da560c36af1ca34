// Test 5: a validator whose oracle is fed a wrong price does not move the index.
//
// Collection 2 (configured by test 2) reads `opensea-v2`: alice, bob and dave from the
// honest replay server, charlie from one serving the same sales at ten times the price. Charlie's
// offchain worker computes and signs a floor about 10x the others' (nothing in its own
// filters can tell: every price it sees is consistently wrong), and it lands on chain as
// charlie's raw value. In each of `args[0]` (default 4) finalized blocks after charlie's
// latest feed (at least one made after test 4 restarted it, so its oracle is back too):
//   - `oracle.values(2)` is the median of the three honest raw values, to the wei (the
//     quorum is theirs: charlie's lie joins no quorum);
//   - charlie's raw value is at least 5x each honest one, and the index is one of the
//     honest values;
//   - the index of collection 2 is within 3 % of collection 1's, which the same honest
//     sales (±2 %) feed on every validator: the lie did not move it.

const assert = require('node:assert/strict');
const { VALIDATORS, devAccounts, field, fmt, log, median, oracleView, shared, waitFor, withApis } = require('./lib.js');

const HONEST = 1;
const DOCTORED = 2;
const HONEST_OPERATORS = VALIDATORS.filter((name) => name !== 'charlie');

async function run (_nodeName, networkInfo, args) {
  const blocks = Number(args[0] ?? 4);
  const accounts = await devAccounts();
  const operators = Object.fromEntries(VALIDATORS.map((name) => [name, accounts[name].address]));

  await withApis(networkInfo, ['alice'], async ({ alice: api }) => {
    // A fresh doctored feed from charlie, in a block finalized after this step started.
    const since = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    let next = since + 1;
    let charlieFedAt;
    await waitFor('a finalized feed of collection 2 from charlie', async () => {
      const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; next <= finalized && charlieFedAt === undefined; next++) {
        const hash = await api.rpc.chain.getBlockHash(next);
        const events = await (await api.at(hash)).query.system.events();
        const fed = events.some((record) => record.event.section === 'trueFloor' && record.event.method === 'FloorsFed' &&
          field(record, 'operator').toString() === operators.charlie &&
          field(record, 'floors').some(([collection]) => collection.toNumber() === DOCTORED));
        if (fed) charlieFedAt = next;
      }
      return charlieFedAt !== undefined;
    }, 120_000, 2_000);

    const samples = [];
    next = charlieFedAt;
    await waitFor(`${blocks} finalized blocks checked`, async () => {
      const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; next <= finalized && samples.length < blocks; next++) {
        const hash = (await api.rpc.chain.getBlockHash(next)).toHex();
        const doctored = await oracleView(api, hash, DOCTORED, operators);
        const honest = await oracleView(api, hash, HONEST, operators);
        const raw = Object.fromEntries(VALIDATORS.map((name) => [name, doctored.raw[name]?.value]));
        assert.ok(VALIDATORS.every((name) => raw[name] !== undefined), `#${next}: every operator has a value for collection ${DOCTORED}`);
        const index = doctored.index.value;
        const honestValues = HONEST_OPERATORS.map((name) => raw[name]);
        assert.equal(index, median(honestValues), `#${next}: index is the honest operators' median`);
        for (const name of HONEST_OPERATORS) {
          assert.ok(raw.charlie >= 5n * raw[name], `#${next}: charlie's doctored ${fmt(raw.charlie)} vs ${name}'s ${fmt(raw[name])}`);
        }
        const low = honestValues.reduce((a, b) => (a < b ? a : b));
        const high = honestValues.reduce((a, b) => (a > b ? a : b));
        assert.ok(index >= low && index <= high, `#${next}: index ${fmt(index)} is an honest value (${fmt(low)}–${fmt(high)})`);
        const reference = honest.index.value;
        const gap = index > reference ? index - reference : reference - index;
        assert.ok(gap * 100n <= reference * 3n, `#${next}: collection ${DOCTORED}'s index ${fmt(index)} within 3 % of collection ${HONEST}'s ${fmt(reference)}`);
        samples.push({ block: next, index, raw, reference });
      }
      return samples.length >= blocks;
    }, 120_000, 2_000);

    const last = samples[samples.length - 1];
    const mean = VALIDATORS.reduce((sum, name) => sum + last.raw[name], 0n) / BigInt(VALIDATORS.length);
    log('doctored', `charlie fed collection ${DOCTORED} in #${charlieFedAt}${shared.collectionsConfiguredAt ? ` (configured in #${shared.collectionsConfiguredAt})` : ''}; checked #${samples[0].block}–#${last.block}`);
    log('doctored', `#${last.block}: raw ${VALIDATORS.map((name) => `${name} ${fmt(last.raw[name])}`).join(', ')} ETH → index ${fmt(last.index)} ` +
      `(collection ${HONEST}: ${fmt(last.reference)}; a mean would have said ${fmt(mean)})`);
  });
}

module.exports = { run };
