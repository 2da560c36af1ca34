// Test 4: one validator of four is stopped; the chain keeps producing and finalizing blocks,
// the validator catches up when it is back, and no transaction is lost.
//
// Run in two steps around zombienet's `charlie: restart after N seconds` (which kills the
// node with SIGKILL, waits N seconds, then starts it again on the same database and keys):
//
//   dave: js-script ./tests/4-validator-down.js with "arm"    (returns at once)
//   charlie: restart after 65 seconds
//   dave: js-script ./tests/4-validator-down.js with "check"
//
// "arm" starts, in the background of zombienet's process, the work done while charlie is
// down: wait until charlie's RPC port refuses connections, then send `args[1]` (default 6)
// balance transfers from Dave, Eve and Ferdie to fresh accounts, one every 4 s, through
// three different nodes in turn (ferdie, alice, bob), and watch them enter blocks. 50 s
// after charlie went down (it comes back at 65 s) it samples the chain: blocks kept coming
// (the others author their slots, charlie's stay empty) and finality went on (GRANDPA needs
// more than 2/3 of the votes: three of four; with three validators, as this network had
// before, one down stalled finality).
//
// "check" waits for that work, then for finality to pass every block that included a
// transfer on every node, charlie included once it is back, and checks each transfer is in the finalized
// chain exactly once and each recipient holds exactly what was sent.

const assert = require('node:assert/strict');
const net = require('node:net');
const { randomAsHex } = require('@polkadot/util-crypto');
const { Keyring } = require('@polkadot/keyring');
const { FULL_NODE, MILLI, UNIT, VALIDATORS, connect, devAccounts, fmt, log, shared, sleep, waitFor, withApis, withTimeout } = require('./lib.js');

const STOPPED = 'charlie';
/** The transfers go through these nodes in turn. */
const VIA = [FULL_NODE, 'alice', 'bob'];
const SENDERS = ['dave', 'eve', 'ferdie'];
/** Spread the transfers over this much of the downtime. */
const SEND_WINDOW_MS = 24_000;
/** Sample the chain this long after the node went down (the DSL restarts it after 65 s). */
const DOWN_PHASE_MS = 50_000;

/** Whether something accepts TCP connections on `host:port`. */
function listening (host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

async function heads (api) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  return { best, finalized };
}

/** Everything done while the validator is down (started by "arm"). */
async function whileDown (networkInfo, count) {
  const { hostname, port } = new URL(networkInfo.nodesByName[STOPPED].wsUri);
  await waitFor(`${STOPPED} to stop`, async () => !(await listening(hostname, Number(port))), 30_000, 500);
  const downAt = Date.now();
  log('validator-down', `${STOPPED} is down (its RPC port refuses connections)`);

  const accounts = await devAccounts();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const apis = {};
  for (const name of VIA) apis[name] = await connect(networkInfo, name);
  try {
    const start = await heads(apis[FULL_NODE]);
    const nonces = {};
    for (const name of SENDERS) {
      nonces[name] = (await apis[FULL_NODE].rpc.system.accountNextIndex(accounts[name].address)).toNumber();
    }
    const transfers = [];
    for (let i = 0; i < count; i++) {
      const from = SENDERS[i % SENDERS.length];
      const via = VIA[i % VIA.length];
      const to = keyring.addFromUri(randomAsHex(32)).address;
      const amount = UNIT + BigInt(i + 1) * MILLI;
      const api = apis[via];
      // Signed first, so the hash is the one the chain will hold.
      const tx = await api.tx.balances.transferKeepAlive(to, amount).signAsync(accounts[from], { nonce: nonces[from]++ });
      const transfer = { i, from, via, to, amount, hash: tx.hash.toHex(), sentAt: Date.now() };
      let submitted;
      transfer.included = new Promise((resolve, reject) => {
        submitted = tx.send((result) => {
          if (result.status.isInBlock) {
            transfer.inBlockWhileDown = true;
            resolve();
          } else if (result.isError || result.dispatchError) {
            reject(new Error(`transfer ${i} ${result.status.type} ${result.dispatchError?.toString() ?? ''}`));
          }
        });
      });
      transfer.included.catch(() => {});
      // The pool accepted it (a refusal rejects here and fails the test).
      await submitted;
      transfers.push(transfer);
      if (i + 1 < count) await sleep(SEND_WINDOW_MS / count);
    }
    // The sample is taken at the end of the down phase, with the validator still down;
    // transfers still out by then are checked by "check" (not lost is what matters).
    await sleep(Math.max(DOWN_PHASE_MS - (Date.now() - downAt), 0));
    const end = await heads(apis[FULL_NODE]);
    const stillDown = !(await listening(hostname, Number(port)));
    return {
      transfers,
      start,
      end,
      stillDown,
      includedWhileDown: transfers.filter(({ inBlockWhileDown }) => inBlockWhileDown).length,
      downForMs: Date.now() - downAt
    };
  } finally {
    await Promise.all(Object.values(apis).map(async (api) => await api.disconnect().catch(() => {})));
  }
}

async function check (networkInfo) {
  assert.ok(shared.validatorDown !== undefined, 'the "arm" step ran first');
  const down = await withTimeout(shared.validatorDown, 120_000, 'the work done while the validator was down');
  const { transfers, start, end } = down;
  assert.ok(down.stillDown, `${STOPPED} was still down when the chain was sampled`);
  log('validator-down', `while ${STOPPED} was down (${Math.round(down.downForMs / 1000)} s sampled): best #${start.best} → #${end.best}, finalized #${start.finalized} → #${end.finalized}; ` +
    `${down.includedWhileDown}/${transfers.length} transfers in blocks`);
  assert.ok(end.best - start.best >= 3, `blocks kept coming without ${STOPPED}: best #${start.best} → #${end.best}`);
  // Three of four voters finalize what was built after the kill, while it is down.
  assert.ok(end.finalized >= start.best + 3,
    `finality goes on with one of four GRANDPA voters down: finalized #${start.finalized} → #${end.finalized}, best was #${start.best} when ${STOPPED} went down`);
  assert.ok(down.includedWhileDown >= 1, 'transfers entered blocks while the validator was down');

  const names = [...VALIDATORS, FULL_NODE];
  await withApis(networkInfo, names, async (apis) => {
    const restartedAt = Date.now();
    // Each transfer must reach the finalized chain: scan finalized blocks as they come.
    const api = apis[FULL_NODE];
    const found = new Map();
    let next = start.best + 1;
    await waitFor('every transfer in a finalized block', async () => {
      const { finalized } = await heads(api);
      for (; next <= finalized; next++) {
        const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(next));
        for (const extrinsic of block.block.extrinsics) {
          const txHash = extrinsic.hash.toHex();
          if (transfers.some(({ hash }) => hash === txHash)) found.set(txHash, [...(found.get(txHash) ?? []), next]);
        }
      }
      return found.size === transfers.length;
    }, 180_000, 1_000);
    const target = Math.max(...[...found.values()].flat());
    for (const name of names) {
      await waitFor(`${name} to finalize #${target}`, async () => (await heads(apis[name])).finalized >= target, 120_000, 1_000);
    }
    log('validator-down', `${STOPPED} back: every node finalized past #${target} (the last transfer's block) ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart step`);

    // A few more blocks, so a duplicate would have had its chance; then exactly once each.
    await waitFor('three more finalized blocks', async () => (await heads(api)).finalized >= target + 3, 60_000, 1_000);
    const { finalized } = await heads(api);
    for (; next <= finalized; next++) {
      const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(next));
      for (const extrinsic of block.block.extrinsics) {
        const txHash = extrinsic.hash.toHex();
        if (found.has(txHash)) found.set(txHash, [...found.get(txHash), next]);
      }
    }
    const at = await api.at(await api.rpc.chain.getFinalizedHead());
    for (const transfer of transfers) {
      assert.equal(found.get(transfer.hash).length, 1,
        `transfer ${transfer.i} (${transfer.from} via ${transfer.via}) in exactly one finalized block, found in ${found.get(transfer.hash)}`);
      const balance = (await at.query.system.account(transfer.to)).data.free.toBigInt();
      assert.equal(balance, transfer.amount, `transfer ${transfer.i}'s recipient holds exactly ${fmt(transfer.amount)}`);
      // The restarted validator holds the same block.
      const [number] = found.get(transfer.hash);
      const ours = (await api.rpc.chain.getBlockHash(number)).toHex();
      const theirs = (await apis[STOPPED].rpc.chain.getBlockHash(number)).toHex();
      assert.equal(theirs, ours, `${STOPPED} holds the same block #${number}`);
    }
    log('validator-down', 'transfers: ' + transfers.map(({ from, via, hash }) => `#${found.get(hash)[0]} ${from} via ${via}`).join(', ') +
      `; each in exactly one finalized block (checked to #${finalized}), every recipient holds exactly the amount sent`);
  });
}

async function run (_nodeName, networkInfo, args) {
  const step = args[0];
  if (step === 'arm') {
    const count = Number(args[1] ?? 6);
    shared.validatorDown = whileDown(networkInfo, count);
    // Reported by "check"; keep an unhandled rejection from killing zombienet meanwhile.
    shared.validatorDown.catch(() => {});
    return;
  }
  if (step === 'check') return await check(networkInfo);
  throw new Error(`unknown step ${step}: "arm" or "check"`);
}

module.exports = { run };
