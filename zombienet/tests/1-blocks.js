// Test 1: blocks are produced and finalized on every node.
//
// Every validator's keystore holds its aura, gran and flor keys. Every node (four
// validators and the full node) reaches a finalized height of at least
// `args[0]` (default 6) and they all hold the same hash at a common finalized height; the
// finalized blocks were authored by all four validators (each one's Aura key works, Aura
// rotates the slots); the validators run as authorities and the full node as a full node,
// each connected to the others.

const assert = require('node:assert/strict');
const { Keyring } = require('@polkadot/keyring');
const { u8aToHex } = require('@polkadot/util');
const { FULL_NODE, VALIDATORS, log, waitFor, withApis, blockAuthor, devAccounts } = require('./lib.js');

async function run (_nodeName, networkInfo, args) {
  const target = Number(args[0] ?? 6);
  const names = [...VALIDATORS, FULL_NODE];
  const accounts = await devAccounts();
  const nameOf = Object.fromEntries(VALIDATORS.map((name) => [accounts[name].address, name]));

  await withApis(networkInfo, names, async (apis) => {
    for (const name of names) {
      const roles = (await apis[name].rpc.system.nodeRoles()).map((role) => role.toString());
      assert.deepEqual(roles, [name === FULL_NODE ? 'Full' : 'Authority'], `${name}'s role`);
    }
    // Each validator's keystore holds its Aura, GRANDPA and oracle operator (`flor`) keys
    // (zombienet's keystore_key_types in network.toml); the full node has no operator key.
    const edKeyring = new Keyring({ type: 'ed25519' });
    for (const name of VALIDATORS) {
      const sr = u8aToHex(accounts[name].publicKey);
      const ed = u8aToHex(edKeyring.addFromUri(`//${name[0].toUpperCase()}${name.slice(1)}`).publicKey);
      for (const [key, type] of [[sr, 'aura'], [ed, 'gran'], [sr, 'flor']]) {
        assert.ok((await apis[name].rpc.author.hasKey(key, type)).isTrue, `${name}'s keystore has its ${type} key`);
      }
    }
    for (const name of VALIDATORS) {
      const sr = u8aToHex(accounts[name].publicKey);
      assert.ok((await apis[FULL_NODE].rpc.author.hasKey(sr, 'flor')).isFalse, `the full node holds no ${name} operator key`);
    }
    // Everyone bootstraps from alice and finds the others through the DHT.
    await waitFor('every node connected to the others', async () => {
      const peers = await Promise.all(names.map(async (name) => (await apis[name].rpc.system.health()).peers.toNumber()));
      return peers.every((count) => count >= names.length - 1);
    }, 120_000, 2_000);

    // Finality everywhere, and blocks from all four authors among the finalized ones.
    const authors = new Map();
    let scanned = 0;
    const height = await waitFor(`every node finalized ≥ #${target} with blocks by all validators`, async () => {
      const finalized = await Promise.all(names.map(async (name) => {
        const hash = await apis[name].rpc.chain.getFinalizedHead();
        return (await apis[name].rpc.chain.getHeader(hash)).number.toNumber();
      }));
      const common = Math.min(...finalized);
      for (let number = scanned + 1; number <= common; number++) {
        const hash = await apis.alice.rpc.chain.getBlockHash(number);
        const author = nameOf[await blockAuthor(apis.alice, hash)] ?? 'unknown';
        authors.set(author, (authors.get(author) ?? 0) + 1);
        scanned = number;
      }
      return common >= target && VALIDATORS.every((name) => authors.has(name)) && common;
    }, 180_000, 2_000);

    const hashes = await Promise.all(names.map(async (name) => (await apis[name].rpc.chain.getBlockHash(height)).toHex()));
    assert.equal(new Set(hashes).size, 1, `one finalized block #${height} on every node: ${hashes.join(', ')}`);
    for (const name of names) {
      const best = (await apis[name].rpc.chain.getHeader()).number.toNumber();
      log('blocks', `${name}: best #${best}, finalized ≥ #${height} (${hashes[0].slice(0, 10)}…)`);
    }
    log('blocks', `authors of finalized blocks #1–#${height}:`,
      [...authors].map(([name, count]) => `${name} ${count}`).join(', '));
  });
}

module.exports = { run };
