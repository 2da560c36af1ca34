// Helpers shared by the zombienet js-scripts (CommonJS: zombienet `require`s the scripts).
//
// Zombienet calls each script's `run(nodeName, networkInfo, args)` inside its own process;
// `networkInfo.nodesByName[name].wsUri` is where each node's RPC listens. The scripts use
// this package's @polkadot/api (16.5.x), not the older copy zombienet bundles, so they read
// the runtime's metadata v15+ types (runtime APIs, general transactions) the way
// client/ does. Node's module cache keeps one instance of this file for the whole run:
// `shared` carries state from one script to a later one (the validator-down test starts
// work in one step that the next step checks).

const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady, encodeAddress } = require('@polkadot/util-crypto');

const UNIT = 10n ** 18n;
const MILLI = 10n ** 15n;
/** The genesis validators (and oracle operators). */
const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];
/** A validator node that test 6 has governance add to the set. */
const NEW_VALIDATOR = 'eve';
const FULL_NODE = 'ferdie';

/** State that outlives one script (see the file comment). */
const shared = {};

/** Prints a line prefixed with the test's tag, so the run's output reads as a report. */
function log (tag, ...parts) {
  console.log(`    [${tag}]`, ...parts);
}

/**
 * RPC methods @polkadot/api 16.5 does not know: session keys API v2's rotation, which also
 * returns the proof that `owner` holds the keys (`{ keys, proof }`, SCALE bytes).
 */
const RPC = {
  author: {
    rotateKeysWithOwner: {
      description: 'Generates new session keys for `owner` with their ownership proof',
      params: [{ name: 'owner', type: 'Bytes' }],
      type: 'Json'
    }
  }
};

/** Connects to `name`'s RPC; the provider retries every second while the node is down. */
async function connect (networkInfo, name) {
  const node = networkInfo.nodesByName[name];
  if (node === undefined) throw new Error(`no node ${name} in the network`);
  const provider = new WsProvider(node.wsUri, 1_000);
  try {
    return await withTimeout(ApiPromise.create({ provider, noInitWarn: true, rpc: RPC }), 60_000, `connecting to ${name}`);
  } catch (error) {
    await provider.disconnect();
    throw error;
  }
}

/** Connects to several nodes, runs `body(apis)` and always disconnects. */
async function withApis (networkInfo, names, body) {
  const apis = {};
  try {
    for (const name of names) apis[name] = await connect(networkInfo, name);
    return await body(apis);
  } finally {
    await Promise.all(Object.values(apis).map(async (api) => await api.disconnect().catch(() => {})));
  }
}

/** The well-known dev accounts as sr25519 pairs. */
async function devAccounts () {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const pairs = {};
  for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) {
    pairs[name.toLowerCase()] = keyring.addFromUri(`//${name}`);
  }
  return pairs;
}

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` after `ms`. */
async function withTimeout (promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      })
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined/false. */
async function waitFor (what, probe, timeoutMs, everyMs = 1_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Signs `tx` with `signer` (optionally at `nonce`), submits it and resolves once the
 * block including it is finalized, with that block's hash and number and the extrinsic's
 * events. Rejects if it fails to dispatch or is dropped, or after `timeoutMs`.
 */
async function signAndFinalize (api, tx, signer, { nonce = -1, timeoutMs = 90_000 } = {}) {
  let unsubscribe;
  let inBlock;
  const finalized = new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce }, (result) => {
      if (result.dispatchError) {
        reject(new Error(`dispatch failed: ${describeError(api, result.dispatchError)}`));
      } else if (result.status.isInBlock) {
        inBlock = result.status.asInBlock.toHex();
      } else if (result.status.isFinalized) {
        resolve({ blockHash: result.status.asFinalized.toHex(), events: result.events });
      } else if (result.isError) {
        reject(new Error(`transaction not included: ${result.status.type}`));
      }
    }).then((unsub) => { unsubscribe = unsub; }, reject);
  });
  try {
    const { blockHash, events } = await withTimeout(finalized, timeoutMs,
      `${tx.method.section}.${tx.method.method} finalized (in block ${inBlock ?? 'none yet'})`);
    const blockNumber = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    return { blockHash, blockNumber, events };
  } finally {
    unsubscribe?.();
  }
}

/** `Section.Name` of a dispatch error. */
function describeError (api, error) {
  if (error.isModule) {
    const { section, name } = api.registry.findMetaError(error.asModule);
    return `${section}.${name}`;
  }
  return error.toString();
}

/** A named event field (`size` is `size_` in polkadot-js). */
function field (record, name) {
  const { data } = record.event;
  const names = data.names ?? [];
  const position = names.includes(name) ? names.indexOf(name) : names.indexOf(`${name}_`);
  if (position < 0) throw new Error(`${record.event.section}.${record.event.method} has no field ${name}`);
  return data[position];
}

function bigField (record, name) {
  return BigInt(field(record, name).toString());
}

function findEvent (events, section, method) {
  const record = events.find(({ event }) => event.section === section && event.method === method);
  if (record === undefined) throw new Error(`no ${section}.${method} event`);
  return record;
}

/** The median pallet-oracle takes of fresh values: element ⌊n/2⌋ of the sorted list. */
function median (values) {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)];
}

/** An 18-decimal amount as a decimal string with `digits` fraction digits. */
function fmt (raw, digits = 4) {
  const negative = raw < 0n;
  const abs = negative ? -raw : raw;
  const scale = 10n ** BigInt(18 - digits);
  const rounded = (abs + scale / 2n) / scale;
  const text = rounded.toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** The chain's oracle view of `collection` at `blockHash`: index and each operator's value. */
async function oracleView (api, blockHash, collection, operators) {
  const at = await api.at(blockHash);
  const index = (await at.query.oracle.values(collection)).toJSON();
  const raw = {};
  for (const [name, address] of Object.entries(operators)) {
    const value = (await at.query.oracle.rawValues(address, collection)).toJSON();
    raw[name] = value === null ? null : { value: BigInt(value.value), timestamp: Number(value.timestamp) };
  }
  return { index: index === null ? null : { value: BigInt(index.value), timestamp: Number(index.timestamp) }, raw };
}

/**
 * The validator account that authored `blockHash`: Aura gives slot `s` to authority
 * `s mod n`, and `session.validators` lists the validators in the authorities' order (their
 * accounts, which a validator's rotated session keys are not). Blocks of the spec-100 chain
 * test 0 starts from have no session: there the Aura key's account is the author.
 */
async function blockAuthor (api, blockHash) {
  const header = await api.rpc.chain.getHeader(blockHash);
  const preRuntime = header.digest.logs.find((item) => item.isPreRuntime && item.asPreRuntime[0].toString() === 'aura');
  if (preRuntime === undefined) throw new Error(`block ${blockHash} has no Aura pre-digest`);
  const slot = api.createType('u64', preRuntime.asPreRuntime[1]).toBigInt();
  const parentAt = await api.at(header.parentHash);
  const validators = await parentAt.query.session.validators();
  if (validators.length > 0) return validators[Number(slot % BigInt(validators.length))].toString();
  // Before the upgrade that brought sessions (test 0) an author was its Aura key's account.
  const authorities = await parentAt.query.aura.authorities();
  return encodeAddress(authorities[Number(slot % BigInt(authorities.length))].toU8a(), 42);
}

/** The runtime's default market parameters without the fluctuation band (a test moves prices in steps). */
function marketParams (api) {
  const defaults = api.consts.perp.defaultMarketParams;
  return { ...Object.fromEntries(defaults.entries()), fluctuationLimit: 0n };
}

/**
 * Puts `call` to a referendum with `origin` (e.g. `{ Origins: 'ValidatorAdmin' }`): `proposer`
 * notes the preimage, submits it and places the decision deposit, and every `voters` pair
 * votes aye with 900,000 FLOOR. Resolves with the referendum's index once the votes are
 * finalized; the development preset's tracks enact it a few blocks later.
 */
async function submitReferendum (api, call, origin, proposer, voters) {
  const method = call.method;
  await signAndFinalize(api, api.tx.preimage.notePreimage(method.toHex()), proposer);
  const submitted = await signAndFinalize(api,
    api.tx.referenda.submit(origin, { Lookup: { hash: method.hash, len: method.encodedLength } }, { After: 0 }),
    proposer);
  const index = Number(field(findEvent(submitted.events, 'referenda', 'Submitted'), 'index').toString());
  await signAndFinalize(api, api.tx.referenda.placeDecisionDeposit(index), proposer);
  const vote = { Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 900_000n * UNIT } };
  await Promise.all(voters.map((voter) => signAndFinalize(api, api.tx.convictionVoting.vote(index, vote), voter)));
  return index;
}

module.exports = {
  UNIT,
  MILLI,
  VALIDATORS,
  NEW_VALIDATOR,
  FULL_NODE,
  shared,
  log,
  connect,
  withApis,
  devAccounts,
  sleep,
  withTimeout,
  waitFor,
  signAndFinalize,
  describeError,
  field,
  bigField,
  findEvent,
  median,
  fmt,
  oracleView,
  blockAuthor,
  marketParams,
  submitReferendum
};
