// Test 6: governance changes the validator set on a running network.
//
// Eve runs a validator node that is not in the set. Her node generates session keys
// (`author_rotateKeysWithOwner`, which also returns the proof that her account owns them) and
// her account registers them with `session.setKeys`. Then two `validator_admin` referenda run
// side by side: one adds eve, the other removes charlie (whose oracle lied in test 5), each
// carried by three large ayes (above the track's 20 % support from the start). Both are
// enacted within a minute (the development tracks), and pallet-session takes the new set at
// a session boundary (one-minute sessions: live one to two sessions after enactment).
//
// Checked, on finalized blocks: from the session in which the new set is active, eve
// authors blocks and charlie authors none; Aura's authorities hold eve's new key; the oracle
// operators are the four active validators' `flor` accounts (eve's new key in, charlie's
// out); finality goes on (four voters); and `args[0]` (default 2) blocks by eve are
// finalized on every node.

const assert = require('node:assert/strict');
const { u8aToHex } = require('@polkadot/util');
const { encodeAddress } = require('@polkadot/util-crypto');
const { FULL_NODE, NEW_VALIDATOR, VALIDATORS, blockAuthor, devAccounts, log, signAndFinalize, submitReferendum, waitFor, withApis } = require('./lib.js');

const REMOVED = 'charlie';

async function run (_nodeName, networkInfo, args) {
  const eveBlocks = Number(args[0] ?? 2);
  const accounts = await devAccounts();
  const names = [...VALIDATORS, NEW_VALIDATOR, FULL_NODE];
  const nameOf = Object.fromEntries(names.map((name) => [accounts[name].address, name]));

  await withApis(networkInfo, names, async (apis) => {
    const api = apis[FULL_NODE];
    const eve = accounts[NEW_VALIDATOR];
    const before = (await api.query.session.validators()).map((v) => nameOf[v.toString()]);
    assert.deepEqual([...before].sort(), [...VALIDATORS].sort(), 'the genesis validators are active');

    // 1. Eve's node makes her keys; her account registers them (10 FLOOR held).
    const generated = (await apis[NEW_VALIDATOR].rpc.author.rotateKeysWithOwner(u8aToHex(eve.publicKey))).toJSON();
    const setKeys = api.tx.session.setKeys(generated.keys, generated.proof);
    const keys = setKeys.method.args[0];
    const registered = await signAndFinalize(api, setKeys, eve);
    const nextKeys = (await (await api.at(registered.blockHash)).query.session.nextKeys(eve.address)).unwrap();
    assert.equal(nextKeys.toHex(), keys.toHex(), 'her registered keys are the ones her node generated');
    const eveAura = encodeAddress(keys.aura.toU8a(), 42);
    const eveFlor = encodeAddress(keys.oracle.toU8a(), 42);
    assert.notEqual(eveAura, eve.address, 'new keys, not her account key');
    log('validator-set', `eve registered new session keys in #${registered.blockNumber} (aura ${eveAura.slice(0, 8)}…, flor ${eveFlor.slice(0, 8)}…)`);

    // 2. Two referenda side by side: add eve (alice proposes; alice, bob and eve vote),
    //    remove charlie (dave proposes; charlie, dave and ferdie vote).
    const origin = { Origins: 'ValidatorAdmin' };
    const enacted = waitFor('both referenda enacted', async () => {
      const current = (await api.query.validatorManager.validators()).map((v) => v.toString());
      return current.includes(eve.address) && !current.includes(accounts[REMOVED].address);
    }, 180_000, 2_000);
    const submittedAt = Date.now();
    const [added, removed] = await Promise.all([
      submitReferendum(api, api.tx.validatorManager.addValidator(eve.address), origin, accounts.alice, [accounts.alice, accounts.bob, eve]),
      submitReferendum(api, api.tx.validatorManager.removeValidator(accounts[REMOVED].address), origin, accounts.dave, [accounts.charlie, accounts.dave, accounts.ferdie])
    ]);
    const track = (await api.query.referenda.referendumInfoFor(added)).unwrap();
    if (track.isOngoing) assert.equal(track.asOngoing.track.toNumber(), 4, 'the validator_admin track');
    await enacted;
    const enactedAt = (await api.rpc.chain.getHeader()).number.toNumber();
    log('validator-set', `referenda ${added} (add eve) and ${removed} (remove ${REMOVED}) enacted by #${enactedAt}, ${Math.round((Date.now() - submittedAt) / 1000)} s after submission`);

    // 3. The session that makes the new set active.
    const activeFrom = await waitFor('eve active and charlie gone in session.validators', async () => {
      const head = await api.rpc.chain.getFinalizedHead();
      const active = (await (await api.at(head)).query.session.validators()).map((v) => v.toString());
      if (active.includes(eve.address) && !active.includes(accounts[REMOVED].address)) {
        return (await api.rpc.chain.getHeader(head)).number.toNumber();
      }
      return false;
    }, 240_000, 2_000);
    const at = await api.at(await api.rpc.chain.getBlockHash(activeFrom));
    const session = (await at.query.session.currentIndex()).toNumber();
    const aura = (await at.query.aura.authorities()).map((key) => encodeAddress(key.toU8a(), 42));
    assert.ok(aura.includes(eveAura), "Aura's authorities hold eve's new key");
    assert.equal(aura.length, 4);
    const operators = (await at.query.oracleOperators.members()).map((a) => a.toString());
    assert.ok(operators.includes(eveFlor), "eve's flor account is an oracle operator");
    assert.ok(!operators.includes(accounts[REMOVED].address), `${REMOVED} is no oracle operator`);
    assert.equal(operators.length, 4);
    log('validator-set', `session ${session} active from finalized #${activeFrom} (or earlier), ${activeFrom - enactedAt} blocks after enactment: validators ${(await at.query.session.validators()).map((v) => nameOf[v.toString()]).join(', ')}`);

    // 4. Finalized blocks after that: eve authors, charlie does not, finality goes on.
    const authors = new Map();
    let next = activeFrom + 1;
    const finalized = await waitFor(`${eveBlocks} finalized blocks by eve`, async () => {
      const head = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; next <= head; next++) {
        const author = nameOf[await blockAuthor(api, await api.rpc.chain.getBlockHash(next))] ?? 'unknown';
        authors.set(author, (authors.get(author) ?? 0) + 1);
      }
      return (authors.get(NEW_VALIDATOR) ?? 0) >= eveBlocks && head;
    }, 180_000, 2_000);
    assert.equal(authors.get(REMOVED) ?? 0, 0, `no block by ${REMOVED} after the new set took over`);
    for (const name of names) {
      await waitFor(`${name} to finalize #${finalized}`, async () =>
        (await apis[name].rpc.chain.getHeader(await apis[name].rpc.chain.getFinalizedHead())).number.toNumber() >= finalized, 60_000, 1_000);
    }
    log('validator-set', `authors of finalized #${activeFrom + 1}–#${finalized}: ` +
      [...authors].map(([name, count]) => `${name} ${count}`).join(', ') + '; every node finalized it');
  });
}

module.exports = { run };
