// Test 0: a forkless runtime upgrade by referendum while traders hold positions.
//
// The network starts as a spec-100 chain (run.sh, fixtures/spec-100-chain.mjs): Aura and
// GRANDPA authorities from genesis, no session state, the validator manager at storage
// version 0. Through the full node: sudo lists collection 9 (index 10 from the four
// operators); Dave opens a 3x long and Ferdie a 3x short. Then a `root` referendum
// enacts `system.authorizeUpgrade(hash of the node's own spec-101 runtime)`, and Alice
// submits `system.applyAuthorizedUpgrade(code)`.
//
// Checked: the first block on spec 101 runs the migration, and only that block (session
// validators 0 → 4 and the validator manager's storage version 0 → 1 between its parent and
// it, `system.lastRuntimeUpgrade` 101); every node finalizes past it and keeps authoring;
// both positions (their stored size, margin, notional and funding index), the traders' ETH
// and FLOOR are exactly as before the referendum. The rest of the suite then runs on the
// upgraded chain.

const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { Metadata, TypeRegistry } = require('@polkadot/types');
const { blake2AsHex, xxhashAsHex } = require('@polkadot/util-crypto');
const { FULL_NODE, NEW_VALIDATOR, UNIT, VALIDATORS, bigField, devAccounts, findEvent, log, marketParams, signAndFinalize, submitReferendum, waitFor, withApis } = require('./lib.js');

const COLLECTION = 9;
const VERSION_KEY = xxhashAsHex('ValidatorManager', 128) + xxhashAsHex(':__STORAGE_VERSION__:', 128).slice(2);

async function managerVersion (api, hash) {
  const raw = await api.rpc.state.getStorage(VERSION_KEY, hash);
  return raw.isSome ? api.createType('u16', raw.unwrap()).toNumber() : 0;
}

/**
 * The events of the block that applied the upgrade, decoded with spec 100's metadata (its
 * parent's). polkadot-js cannot be trusted with them: when the runtime changes it rewrites in
 * place the registry it had already tied to this block hash, so both the transaction's result
 * and `api.at(hash)` decode them with spec 101's metadata and fail.
 */
async function eventsOfApplyingBlock (api, hash) {
  const { parentHash } = await api.rpc.chain.getHeader(hash);
  const registry = new TypeRegistry(hash);
  registry.setMetadata(new Metadata(registry, (await api.rpc.state.getMetadata(parentHash)).toU8a()));
  const raw = await api.rpc.state.getStorage(api.query.system.events.key(), hash);
  const system = registry.metadata.pallets.find(({ name }) => name.eq('System'));
  const events = system.storage.unwrap().items.find(({ name }) => name.eq('Events'));
  return registry.createType(registry.createLookupType(events.type.asPlain), raw.unwrap().toU8a(true));
}

async function specAt (api, hash) {
  return (await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber();
}

/** What the upgrade must not touch: the traders' positions and balances. */
async function traders (api, hash, market, pairs) {
  const at = await api.at(hash);
  const state = {};
  for (const pair of pairs) {
    state[pair.address] = {
      position: (await at.query.perp.positions(pair.address, market)).toJSON(),
      eth: (await at.query.assets.account(1, pair.address)).toJSON(),
      floor: (await at.query.system.account(pair.address)).data.toJSON()
    };
  }
  return state;
}

async function run (_nodeName, networkInfo) {
  const code = readFileSync(process.env.FLOORPERP_UPGRADE_CODE, 'utf8').trim();
  const codeHash = blake2AsHex(code, 256);
  const accounts = await devAccounts();
  const { alice, bob, dave, ferdie } = accounts;
  const names = [...VALIDATORS, NEW_VALIDATOR, FULL_NODE];

  await withApis(networkInfo, names, async (apis) => {
    const api = apis[FULL_NODE];
    const head = await api.rpc.chain.getFinalizedHead();
    assert.equal(await specAt(api, head), 100, 'the network starts on spec 100');
    assert.equal((await (await api.at(head)).query.session.validators()).length, 0, 'no session state yet');
    assert.equal(await managerVersion(api, head), 0);

    // Traders open positions on the spec-100 chain.
    const params = marketParams(api);
    const created = await signAndFinalize(api, api.tx.sudo.sudo(api.tx.perp.createMarket(COLLECTION, 1_000n * UNIT, 10_000n * UNIT, params)), alice);
    const market = Number(bigField(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
    await Promise.all(VALIDATORS.map((name) => signAndFinalize(api, api.tx.oracle.feedValues([[COLLECTION, 10n * UNIT]]), accounts[name])));
    await Promise.all([dave, ferdie].map((pair) => signAndFinalize(api, api.tx.perp.deposit(100n * UNIT), pair)));
    const opened = await Promise.all([[dave, 'Long'], [ferdie, 'Short']].map(([pair, side]) =>
      signAndFinalize(api, api.tx.perp.openPosition(market, side, 10n * UNIT, 3n * UNIT, true, 0), pair)));
    const openedAt = Math.max(...opened.map(({ blockNumber }) => blockNumber));
    const before = await traders(api, await api.rpc.chain.getBlockHash(openedAt), market, [dave, ferdie]);
    log('upgrade', `spec 100: market ${market} (collection ${COLLECTION}); Dave long and Ferdie short at 3x by #${openedAt}`);

    // The referendum: root track, the development periods.
    const submittedAt = Date.now();
    // Four large ayes (about 30 % of issuance) clear the root track's 25 % support at once;
    // the traders themselves do not vote, so their FLOOR stays put.
    const voters = [alice, bob, accounts.charlie, accounts.eve];
    const referendum = await submitReferendum(api, api.tx.system.authorizeUpgrade(codeHash), { system: 'Root' }, alice, voters);
    const authorized = await waitFor('the upgrade authorised', async () => {
      const hash = await api.rpc.chain.getFinalizedHead();
      const authorization = (await (await api.at(hash)).query.system.authorizedUpgrade()).toJSON();
      return authorization !== null && authorization.codeHash === codeHash && (await api.rpc.chain.getHeader(hash)).number.toNumber();
    }, 240_000, 2_000);
    log('upgrade', `root referendum ${referendum} authorised ${codeHash.slice(0, 12)}… by finalized #${authorized}, ${Math.round((Date.now() - submittedAt) / 1000)} s after submission`);

    // Anyone may bring the code; Alice does.
    const applied = await signAndFinalize(api, api.tx.system.applyAuthorizedUpgrade(code), alice, { timeoutMs: 120_000 });
    findEvent(await eventsOfApplyingBlock(api, applied.blockHash), 'system', 'CodeUpdated');

    // `state_getRuntimeVersion(h)` is the code in h's post-state: the code that executes h's
    // child. The block applying the code ran on spec 100; its child is the first on 101.
    const upgradedAt = applied.blockNumber + 1;
    await waitFor(`finalized #${upgradedAt}`, async () =>
      (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() >= upgradedAt, 60_000, 1_000);
    const before101 = await api.rpc.chain.getBlockHash(applied.blockNumber - 1);
    const parent = await api.rpc.chain.getBlockHash(applied.blockNumber);
    const upgraded = await api.rpc.chain.getBlockHash(upgradedAt);
    assert.equal(await specAt(api, before101), 100, 'the applying block ran on spec 100');
    assert.equal(await specAt(api, parent), 101, 'its child runs on spec 101');
    assert.equal(await managerVersion(api, parent), 0);
    assert.equal(await managerVersion(api, upgraded), 1, 'the migration ran in the first spec-101 block');
    // Raw: `api.at(parent)` would decode with the rewritten registry (eventsOfApplyingBlock).
    const validatorsKey = xxhashAsHex('Session', 128) + xxhashAsHex('Validators', 128).slice(2);
    const unseeded = await api.rpc.state.getStorage(validatorsKey, parent);
    assert.equal(unseeded.isSome ? api.createType('Vec<AccountId32>', unseeded.unwrap()).length : 0, 0);
    const seeded = (await (await api.at(upgraded)).query.session.validators()).map((v) => v.toString());
    assert.deepEqual([...seeded].sort(), VALIDATORS.map((name) => accounts[name].address).sort(), 'the authorities are the validators');
    const last = (await (await api.at(upgraded)).query.system.lastRuntimeUpgrade()).toJSON();
    assert.equal(last.specVersion, 101);

    // Blocks and finality go on, on every node; positions and balances are untouched.
    const target = upgradedAt + 3;
    for (const name of names) {
      await waitFor(`${name} to finalize #${target}`, async () =>
        (await apis[name].rpc.chain.getHeader(await apis[name].rpc.chain.getFinalizedHead())).number.toNumber() >= target, 90_000, 1_000);
    }
    const finalHash = await api.rpc.chain.getFinalizedHead();
    assert.equal(await managerVersion(api, finalHash), 1, 'and it stays at 1: the migration ran once');
    assert.deepEqual(await traders(api, finalHash, market, [dave, ferdie]), before, 'positions and balances unchanged');
    log('upgrade', `code applied in #${applied.blockNumber}; #${upgradedAt} is the first spec-101 block: session validators 0 → ${seeded.length}, ` +
      `validator manager v0 → v1; every node finalized #${target}; both positions and the traders' ETH and FLOOR as before`);
  });
}

module.exports = { run };
