// Test 3: a position pushed below maintenance by an index move is liquidated by a
// validator's offchain worker, exactly once, although all four validators' workers see it.
//
// The scenario of client/tests/liquidation.test.ts, on the multi-validator network and with
// every transaction sent through the full node (dave): sudo lists collection 7 at mark 10;
// the four oracle operators feed index 10; Bob opens a 5x isolated long; the operators
// feed 8.6 (Bob is still above maintenance: a position is liquidatable only when both its
// margin ratio on the curve and at the fair price, the worse of the mark TWAP and the index,
// are below maintenance); Charlie shorts the mark down to 8.649. Nobody calls
// `liquidate`. Each validator's offchain worker scans positions on every block it imports
// and submits an unsigned, authorised `perp.liquidate(bob, market)`; the pool dedupes the
// copies by (account, market) and a copy reaching a block after the position is gone fails
// validation. We check the finalized chain for `args[0]` (default 3) blocks after the
// liquidation: exactly one `perp.liquidate` extrinsic for Bob's position, exactly one
// PositionLiquidated, no failed extrinsic, the block author earned the liquidator's half,
// and every node holds the same block with Bob's position gone.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { FULL_NODE, MILLI, UNIT, VALIDATORS, bigField, blockAuthor, devAccounts, field, findEvent, fmt, log, signAndFinalize, waitFor, withApis, marketParams } = require('./lib.js');

const COLLECTION = 7;
/**
 * The chain's default market parameters (`perp.DefaultMarketParams`, their one home) without
 * the per-block price band: the crash below is one 14 % arbitrage trade, which the default
 * 2 % band would split over blocks.
 */
/**
 * Which validators' offchain workers logged a submitted liquidation for a block in
 * `from..to` (run.sh passes the nodes' log directory as ZOMBIENET_NET_DIR); for the
 * report only: which workers see the position first is up to the scan's random start.
 */
function ocwSubmitters (from, to) {
  const dir = process.env.ZOMBIENET_NET_DIR;
  if (dir === undefined) return undefined;
  const submitters = [];
  for (const name of VALIDATORS) {
    let text = '';
    try { text = fs.readFileSync(path.join(dir, `${name}.log`), 'utf8'); } catch { continue; }
    for (const [, block, count] of text.matchAll(/runtime::perp: block (\d+): scanned \d+ positions, submitted (\d+) liquidations/g)) {
      if (Number(block) >= from && Number(block) <= to && Number(count) > 0) submitters.push(`${name} (#${block})`);
    }
  }
  return submitters;
}

async function run (_nodeName, networkInfo, args) {
  const blocksAfter = Number(args[0] ?? 3);
  const accounts = await devAccounts();
  const { alice, bob, charlie } = accounts;
  const nameOf = Object.fromEntries(VALIDATORS.map((name) => [accounts[name].address, name]));

  await withApis(networkInfo, [FULL_NODE, ...VALIDATORS], async (apis) => {
    const api = apis[FULL_NODE];
    const params = marketParams(api);
    const maintenance = params.maintenanceMarginRatio.toBigInt();
    const fullLiquidation = params.fullLiquidationRatio.toBigInt();
    // Explicit nonces: Bob and Charlie feed and deposit in the same round.
    const nonces = {};
    for (const pair of new Set([alice, bob, charlie, ...VALIDATORS.map((name) => accounts[name])])) {
      nonces[pair.address] = (await api.rpc.system.accountNextIndex(pair.address)).toNumber();
    }
    const send = (tx, pair) => signAndFinalize(api, tx, pair, { nonce: nonces[pair.address]++ });
    const feedAll = async (price) => await Promise.all(VALIDATORS.map((name) =>
      send(api.tx.oracle.feedValues([[COLLECTION, price]]), accounts[name])));

    // One round: the market (sudo), index 10 from every operator, both traders' deposits.
    const [created] = await Promise.all([
      send(api.tx.sudo.sudo(api.tx.perp.createMarket(COLLECTION, 100n * UNIT, 1_000n * UNIT, params)), alice),
      feedAll(10n * UNIT),
      send(api.tx.perp.deposit(10n * UNIT), bob),
      send(api.tx.perp.deposit(100n * UNIT), charlie)
    ]);
    const market = Number(bigField(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
    const positionOf = async (hash) => (await (await api.at(hash)).call.perpApi.positionInfo(bob.address, market));
    const opened = await send(api.tx.perp.openPosition(market, 'Long', UNIT, 5n * UNIT, true, 0), bob);
    const size = bigField(findEvent(opened.events, 'perp', 'PositionChanged'), 'exchangedSize');
    log('liquidation', `market ${market} (collection ${COLLECTION}); Bob long ${fmt(size, 6)} base at 5x, block #${opened.blockNumber}`);

    // The floor crashes: every operator feeds 8.6.
    const fed = await feedAll(8_600n * MILLI);
    const lastFeed = fed.reduce((latest, result) => (result.blockNumber > latest.blockNumber ? result : latest));
    const index = (await (await api.at(lastFeed.blockHash)).query.oracle.values(COLLECTION)).toJSON();
    assert.equal(BigInt(index.value), 8_600n * MILLI, 'the index is the operators\' 8.6');
    const afterFeed = (await positionOf(lastFeed.blockHash)).unwrap();
    assert.ok(afterFeed.marginRatio.unwrap().toBigInt() > maintenance, 'the index move alone leaves Bob above maintenance');

    // Charlie's short takes the mark to 8.649: Bob's margin ratio falls below 10 %.
    const arbitrage = await send(api.tx.perp.openPosition(market, 'Short', 15n * UNIT, 5n * UNIT, true, 0), charlie);
    const mark = bigField(findEvent(arbitrage.events, 'perp', 'PositionChanged'), 'markPrice');
    assert.equal(mark, 8_648_999_999_999_999_999n);
    log('liquidation', `index 8.6 fed by all four operators (#${lastFeed.blockNumber}); Charlie's short moved the mark to ${fmt(mark)} (#${arbitrage.blockNumber})`);

    // Scan the finalized chain from the arbitrage block, until `blocksAfter` blocks past the
    // liquidation (liquidated in the arbitrage block itself is fine: the trade comes first).
    const liquidations = [];
    const calls = [];
    const failures = [];
    let next = arbitrage.blockNumber;
    let liquidatedAt;
    await waitFor(`Bob's liquidation and ${blocksAfter} finalized blocks after it`, async () => {
      const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; next <= finalized; next++) {
        const hash = (await api.rpc.chain.getBlockHash(next)).toHex();
        const block = await api.rpc.chain.getBlock(hash);
        const events = await (await api.at(hash)).query.system.events();
        block.block.extrinsics.forEach((extrinsic, index) => {
          const { section, method, args: callArgs } = extrinsic.method;
          if (section !== 'perp' || method !== 'liquidate') return;
          const applied = events.filter(({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index);
          if (applied.some(({ event }) => event.section === 'system' && event.method === 'ExtrinsicFailed')) {
            failures.push({ block: next, who: callArgs[0].toString() });
          }
          if (callArgs[0].toString() === bob.address && Number(callArgs[1].toString()) === market) {
            calls.push({ block: next, hash, signed: extrinsic.isSigned });
          }
        });
        for (const record of events) {
          if (record.event.section === 'perp' && record.event.method === 'PositionLiquidated' &&
              field(record, 'who').toString() === bob.address && Number(field(record, 'market').toString()) === market) {
            liquidations.push({ block: next, hash, record });
            liquidatedAt ??= next;
          }
        }
      }
      return liquidatedAt !== undefined && next > liquidatedAt + blocksAfter;
    }, 120_000, 2_000);

    assert.equal(liquidations.length, 1, `exactly one PositionLiquidated for Bob, got blocks ${liquidations.map(({ block }) => block).join(', ')}`);
    assert.equal(calls.length, 1, `exactly one perp.liquidate(bob, ${market}) extrinsic, got blocks ${calls.map(({ block }) => block).join(', ')}`);
    assert.deepEqual(failures, [], 'no failed liquidation extrinsic');
    const [{ block, hash, record }] = liquidations;
    assert.equal(calls[0].block, block);
    assert.equal(calls[0].signed, false, 'submitted by an offchain worker as an unsigned, authorised transaction');
    assert.ok(block <= arbitrage.blockNumber + 5, `liquidated in #${block}, within five blocks of the crash in #${arbitrage.blockNumber}`);
    assert.equal(field(record, 'full').toString(), 'true', 'below the full-liquidation ratio: closed entirely');
    assert.ok(bigField(record, 'marginRatio') < fullLiquidation);
    assert.equal(bigField(record, 'exchangedSize'), -size, 'Bob\'s whole long was sold');
    const author = await blockAuthor(api, hash);
    assert.equal(field(record, 'liquidator').toString(), author, 'the block author earned the liquidator\'s half');

    // Every node agrees: same block at that height, Bob's position gone.
    for (const name of VALIDATORS) {
      const theirs = (await apis[name].rpc.chain.getBlockHash(block)).toHex();
      assert.equal(theirs, hash, `${name} holds the same block #${block}`);
      const position = await (await apis[name].at(hash)).call.perpApi.positionInfo(bob.address, market);
      assert.ok(position.isNone, `${name}: Bob's position is gone`);
    }
    const submitters = ocwSubmitters(arbitrage.blockNumber, block);
    if (submitters !== undefined) {
      log('liquidation', `offchain workers that submitted a liquidation in blocks #${arbitrage.blockNumber}–#${block} (node logs): ${submitters.join(', ') || 'none logged'}`);
    }
    log('liquidation', `liquidated once, in #${block} (${block - arbitrage.blockNumber} block(s) after the crash) by an authorised (fee-less, unsigned) offchain-worker transaction; ` +
      `block author and liquidator ${nameOf[author] ?? author}; penalty ${fmt(bigField(record, 'penalty'))}, MR ${fmt(bigField(record, 'marginRatio'))}; ` +
      `no other perp.liquidate for Bob in the ${blocksAfter} finalized blocks after, none failed`);
  });
}

module.exports = { run };
