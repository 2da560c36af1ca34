// The crash drill on a running node (docs/PERFORMANCE.md#the-crash-drill-on-a-node): the same
// crash as `runtime/tests/crash_drill.rs`, but through a real node's transaction pool, block
// author and offchain worker, so the build of the node (debug or release) shows in it.
//
// N traders open 1 ETH positions at 2x to 5x (four in five long, a third cross, half of those
// also in a second, steady market); then the index of the first market falls 30 % or 50 % in
// ten oracle feeds, one a block, while an arbitrageur sells its mark towards the index inside
// the 2 % fluctuation band. Alice's offchain worker (the `--dev` validator) liquidates.
//
// Every block of the fall is read afterwards at its hash: liquidations included and failed,
// bad debt, mark, index, the insurance fund, weight, the author's proposal time, and the
// positions still liquidatable, which is exact: a keeper's `liquidate` for every open
// position, dry-run (`system_dryRun`) at that block.

import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import '@polkadot/api-augment';

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError } from '@polkadot/types/interfaces';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { nodeBinary, nodeBuild, startDevNode } from '../devnode.ts';
import { collateralTransfer, dispatchErrorName, eventBigInt, perpApi, UNIT, type MarketInfo } from '../perp.ts';
import { BlockFollower, blockLimits } from './blocks.ts';
import { callerPath } from './options.ts';
import { readProposerLog } from './proposer-log.ts';
import { log } from './report.ts';
import { Submitter, type Sender } from './senders.ts';
import { createMarkets, devAccounts, requireSuccess, sendAll } from './setup.ts';

const NODE_NAME = 'drill';
const NODE_LOG = resolve(import.meta.dirname, '..', '..', '.logs', `${NODE_NAME}.log`);

/** Steps of the fall, one oracle feed a block (ten 6-second blocks: one minute). */
const FALL_STEPS = 10;
/** The market's fluctuation band (default parameters), per block. */
const BAND = 0.02;
/**
 * The arbitrageur's two sales a block: to 1.2 % below the last mark, then on to 1.9 %. The
 * block's liquidations go first (their priority is higher) and sell too; when they have
 * used the band, the second sale fails and the first still lands.
 */
const ARBITRAGE_STEPS = [0.012, 0.019];
/** Blocks watched at most after the fall began (8 minutes). */
const MAX_BLOCKS = 80;
/** Blocks without a liquidation, after the mark reached the floor, that end the watch. */
const QUIET_BLOCKS = 4;
/** Each trader's FLOOR (fees) and ETH (3 deposited, as in the in-process drill). */
const TRADER_FLOOR = 20n * UNIT;
const TRADER_ETH = 3n * UNIT + UNIT / 10n;
const DEPOSIT = 3n * UNIT;
/** What the arbitrageur (Ferdie, 100,000 dev ETH) deposits and its leverage. */
const ARBITRAGEUR_DEPOSIT = 95_000n * UNIT;
const ARBITRAGEUR_LEVERAGE = 5n * UNIT;
/** Dispatch errors of a dry-run keeper liquidation that mean "not liquidatable". */
const HEALTHY = new Set(['perp.NotLiquidatable', 'perp.NotLargestRequirement', 'perp.NoPosition']);

interface Run {
  positions: number;
  fall: number;
}

interface Options {
  runs: Run[];
  out: string;
  build: string;
  nodeArgs: string[];
}

const USAGE = `usage: npm run drill -- [flags]   (from client/)

  --runs <N:fall,...>   drills, each on a fresh '--dev --tmp' node (default 1000:30,1000:50)
  --build <name>        what the node is, for the report (default: release or debug, from
                        the binary's path)
  --out <file.json>     the report, merged by (build, N, fall) (default docs/perf/crash-drill-node.json)
  --node-arg <flag>     extra flag for the node, repeatable
The node is $FLOORPERP_NODE, else $CARGO_TARGET_DIR/debug/floorperp-node.
`;

function parseOptions (argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      build: { type: 'string' },
      out: { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  });
  if (values.help === true) return 'help';
  const runs = (values.runs ?? '1000:30,1000:50').split(',').map((text) => {
    const [positions, fall] = text.split(':').map(Number);
    if (!Number.isInteger(positions) || positions <= 0 || !Number.isInteger(fall) || fall <= 0 || fall >= 100) {
      throw new Error(`--runs takes N:fall with 0 < fall < 100, got ${text}`);
    }
    return { positions, fall };
  });
  return {
    runs,
    out: values.out === undefined ? resolve(import.meta.dirname, '..', '..', '..', 'docs', 'perf', 'crash-drill-node.json') : callerPath(values.out),
    build: values.build ?? nodeBuild(),
    nodeArgs: values['node-arg'] ?? []
  };
}

interface Trader {
  pair: KeyringPair;
  sender?: Sender;
  long: boolean;
  leverage: bigint;
  cross: boolean;
  /** Also holds a 2x position in the steady market (half the cross traders). */
  steady: boolean;
}

/** The in-process drill's mix, by seed. */
function traders (count: number): Trader[] {
  const keyring = new Keyring({ type: 'sr25519' });
  return Array.from({ length: count }, (_, seed) => ({
    pair: keyring.addFromUri(`//drill/${seed}`),
    long: seed % 5 !== 4,
    leverage: BigInt(2 + (seed % 4)) * UNIT,
    cross: seed % 3 === 0,
    steady: seed % 3 === 0 && seed % 2 === 0
  }));
}

async function marketInfo (api: ApiPromise, market: number, hash?: string): Promise<MarketInfo> {
  const info = await (await perpApi(api, hash)).marketInfo(market);
  if (info.isNone) throw new Error(`no market ${market}`);
  return info.unwrap();
}

async function markOf (api: ApiPromise, market: number, hash?: string): Promise<bigint> {
  return (await marketInfo(api, market, hash)).markPrice.toBigInt();
}

const scaled = (value: bigint, factor: number): bigint => (value * BigInt(Math.round(factor * 1e6))) / 1_000_000n;

/**
 * The largest 5x cross short (by margin) whose quote leaves the mark at or above `want`:
 * a bisection over quotes, which include the fee, the guards and the arbitrageur's account.
 */
async function arbitrageMargin (api: ApiPromise, arbitrageur: string, market: number, want: bigint): Promise<bigint> {
  const calls = await perpApi(api);
  const fits = async (margin: bigint): Promise<boolean> => {
    const quote = await calls.quoteOpen(arbitrageur, market, 'Short', margin, ARBITRAGEUR_LEVERAGE, false);
    return quote.isOk && quote.asOk.markAfter.toBigInt() >= want;
  };
  let low = 0n;
  let high = 20_000n * UNIT;
  if (await fits(high)) return high;
  while (high - low > UNIT / 100n) {
    const middle = (low + high) / 2n;
    if (await fits(middle)) low = middle; else high = middle;
  }
  return low;
}

interface BlockRow {
  block: number;
  hash: string;
  step: number;
  liquidations: number;
  failed: number;
  bad_debt: string;
  liquidation_ref_time_ps: number;
  still_liquidatable: number;
  /** A session change: the block's weight was all declared, so nothing else fit in it. */
  session_change: boolean;
  /** The keeper dry runs' results at this block, by error (`ok`: it would liquidate). */
  dry_runs: Record<string, number>;
  mark: string;
  index: string;
  fund: string;
  weight_percent: number;
  proposal_ms?: number;
  end?: string;
}

interface RunReport {
  build: string;
  positions: number;
  fall: number;
  node: { binary: string, version: string, cpus: number };
  setup_seconds: number;
  fall_first_block: number;
  blocks_to_clear: number | null;
  band_limit: number;
  weight_limit: number;
  liquidations: number;
  failed: number;
  peak_liquidatable: number;
  bad_debt: string;
  fund_start: string;
  fund_drawdown: string;
  weight_percent: { max: number, mean: number };
  proposal_ms: { max: number, mean: number } | null;
  rows: BlockRow[];
}

/** The insurance fund's balance at `hash` (`InsuranceApi::state`). */
async function fundAt (api: ApiPromise, hash: string): Promise<bigint> {
  const state = await (await api.at(hash)).call.insuranceApi.state() as unknown as { balance: { toBigInt: () => bigint } };
  return state.balance.toBigInt();
}

/**
 * `sendAll`, then the items a block did not include (refused by a full pool, or dropped from
 * it) again, up to three rounds; fails if any is still missing or any failed in its block.
 */
async function sendAllIncluded (submitter: Submitter, what: string, items: Array<[Sender, SubmittableExtrinsic<'promise'>]>): Promise<void> {
  let pending = items;
  for (let round = 1; pending.length > 0; round++) {
    const outcomes = await sendAll(submitter, pending);
    const failed = outcomes.filter((outcome) => outcome.kind === 'included' && !outcome.ok);
    if (failed.length > 0) requireSuccess(what, failed);
    const missing = pending.filter((_, index) => outcomes[index].kind !== 'included');
    if (missing.length > 0 && round === 3) requireSuccess(what, outcomes.filter((outcome) => outcome.kind !== 'included'));
    if (missing.length > 0) log(`${what}: ${missing.length} of ${pending.length} not included; sending them again`);
    pending = missing;
  }
}

/**
 * Calls sent per round trip: about half a block of transfers. Sending a whole set-up at once
 * (20,001 transfers at N = 10,000) made the pool drop more than it included.
 */
const CHUNK = 1_500;

/** `sendAllIncluded` chunk by chunk; a sender's consecutive calls stay in one chunk. */
async function sendInChunks (submitter: Submitter, what: string, items: Array<[Sender, SubmittableExtrinsic<'promise'>]>): Promise<void> {
  for (let start = 0; start < items.length;) {
    let end = Math.min(items.length, start + CHUNK);
    while (end < items.length && items[end][0] === items[end - 1][0]) end++;
    await sendAllIncluded(submitter, what, items.slice(start, end));
    start = end;
  }
}

const eth = (raw: bigint): string => (Number(raw / 10n ** 12n) / 1e6).toFixed(3);

/**
 * Positions open at `hash` that a keeper could liquidate there, or that only the band or the
 * curve's depth stop; `undefined` when the block has no room left for a dry run (a session
 * change block declares the block's whole weight). `outcomes` counts every dry run's result.
 */
async function liquidatableAt (
  api: ApiPromise,
  keeper: KeyringPair,
  hash: string,
  markets: Set<number>,
  outcomes: Map<string, number>
): Promise<number | undefined> {
  const at = await api.at(hash);
  const keys = await at.query.perp.positions.keys();
  const pairs = keys
    .map(({ args: [who, market] }) => [who.toString(), Number(market.toString())] as const)
    .filter(([, market]) => markets.has(market));
  let liquidatable = 0;
  let full = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length && !full) {
      const [who, market] = pairs[next++];
      const signed = api.tx.perp.liquidate(who, market).sign(keeper, {
        nonce: 0,
        blockHash: api.genesisHash,
        genesisHash: api.genesisHash,
        runtimeVersion: api.runtimeVersion
      });
      const result = await api.rpc.system.dryRun(signed.toHex(), hash);
      let name = 'ok';
      if (result.isErr) {
        if (result.asErr.isInvalid && result.asErr.asInvalid.isExhaustsResources) { full = true; return; }
        throw new Error(`dry run refused at ${hash}: ${result.asErr.toString()}`);
      }
      if (result.asOk.isErr) name = dispatchErrorName(api, result.asOk.asErr as unknown as DispatchError);
      outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
      if (!HEALTHY.has(name)) liquidatable++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return full ? undefined : liquidatable;
}

async function drill (run: Run, options: Options): Promise<RunReport> {
  const node = await startDevNode({ name: NODE_NAME, args: options.nodeArgs });
  const { api } = node;
  const started = Date.now();
  try {
    const limits = blockLimits(api);
    const follower = new BlockFollower(api, limits);
    await follower.start();
    await follower.waitBlocks(1);
    const submitter = new Submitter(api, follower, 1_024);
    const dev = devAccounts();
    const alice = await submitter.sender(dev.alice);
    const [bob, charlie, dave, eve, ferdie] = await Promise.all(dev.funders.map(async (pair) => await submitter.sender(pair)));
    const funders = [bob, charlie, dave, eve];
    const keeper = new Keyring({ type: 'sr25519' }).addFromUri('//drill/keeper');

    log(`N = ${run.positions}, fall ${run.fall} %: markets`);
    const [crashing, steady] = await createMarkets(api, submitter, alice, 2, { sandwichGuard: false });
    const feed = (crashIndex: bigint): ReturnType<ApiPromise['tx']['oracle']['feedValues']> =>
      api.tx.oracle.feedValues([[crashing.collection, crashIndex], [steady.collection, 10n * UNIT]]);
    requireSuccess('oracle feed', await sendAll(submitter, [[alice, feed(10n * UNIT)]]));

    const mix = traders(run.positions);
    log('funding the traders');
    const funding: Array<[Sender, SubmittableExtrinsic<'promise'>]> = [];
    mix.forEach((trader, index) => {
      const funder = funders[index % funders.length];
      funding.push([funder, api.tx.balances.transferKeepAlive(trader.pair.address, TRADER_FLOOR)]);
      funding.push([funder, collateralTransfer(api, trader.pair.address, TRADER_ETH)]);
    });
    funding.push([bob, api.tx.balances.transferKeepAlive(keeper.address, TRADER_FLOOR)]);
    await sendInChunks(submitter, 'funding transfers', funding);

    log('opening positions');
    const opening: Array<[Sender, SubmittableExtrinsic<'promise'>]> = [];
    for (const trader of mix) {
      trader.sender = await submitter.sender(trader.pair);
      const side = trader.long ? 'Long' : 'Short';
      opening.push([trader.sender, api.tx.perp.deposit(DEPOSIT)]);
      opening.push([trader.sender, api.tx.perp.openPosition(crashing.id, side, UNIT, trader.leverage, !trader.cross, 0)]);
      if (trader.steady) opening.push([trader.sender, api.tx.perp.openPosition(steady.id, side, UNIT, 2n * UNIT, false, 0)]);
    }
    opening.push([ferdie, api.tx.perp.deposit(ARBITRAGEUR_DEPOSIT)]);
    // Opening moves the mark: the index follows it, as the in-process drill's feeds do.
    await sendInChunks(submitter, 'deposits and trades', opening);
    const start = await markOf(api, crashing.id);
    requireSuccess('oracle feed', await sendAll(submitter, [[alice, feed(start)]]));
    const setupSeconds = Math.round((Date.now() - started) / 1000);
    log(`set up in ${setupSeconds} s; mark ${eth(start)}, falling ${run.fall} %`);

    // The fall: one feed per block, the arbitrageur selling each block; then the watch.
    const floor = (start * BigInt(100 - run.fall)) / 100n;
    const firstBlock = (follower.latest?.number ?? 0) + 1;
    const watched: number[] = [];
    let quiet = 0;
    // The mark of the block just watched: what the arbitrageur trades against next.
    let mark = start;
    for (let block = 1; block <= MAX_BLOCKS; block++) {
      const step = Math.min(block, FALL_STEPS);
      const index = start - ((start - floor) * BigInt(step)) / BigInt(FALL_STEPS);
      submitter.send(alice, feed(index));
      let sold = 0n;
      for (const fraction of ARBITRAGE_STEPS) {
        const want = [index, scaled(mark, 1 - fraction)].reduce((a, b) => (a > b ? a : b));
        if (mark <= want) break;
        const margin = await arbitrageMargin(api, ferdie.address, crashing.id, want);
        if (margin - sold < UNIT / 100n) break;
        submitter.send(ferdie, api.tx.perp.openPosition(crashing.id, 'Short', margin - sold, ARBITRAGEUR_LEVERAGE, false, 0));
        sold = margin;
      }
      const before = follower.latest?.number ?? 0;
      await follower.waitBlocks(1);
      const latest = follower.latest;
      if (latest === undefined) break;
      watched.push(...Array.from({ length: latest.number - before }, (_, i) => before + 1 + i));
      const events = await (await api.at(latest.hash)).query.system.events();
      const liquidated = events.some(({ event }) => event.section === 'perp' && event.method === 'PositionLiquidated');
      mark = await markOf(api, crashing.id, latest.hash);
      const atFloor = mark <= (floor * 101n) / 100n;
      quiet = atFloor && !liquidated && block >= FALL_STEPS ? quiet + 1 : 0;
      if (quiet >= QUIET_BLOCKS) break;
    }
    await submitter.drain(follower, 30_000);

    log(`reading ${watched.length} blocks #${watched[0]}–#${watched[watched.length - 1]}`);
    const proposals = readProposerLog(NODE_LOG);
    const markets = new Set([crashing.id, steady.id]);
    const fundStart = await fundAt(api, (await api.rpc.chain.getBlockHash(firstBlock - 1)).toHex());
    const rows: BlockRow[] = [];
    let liquidationRefTime = 0;
    let badDebtTotal = 0n;
    let fundLowest = fundStart;
    let clearedAfter: number | null = null;
    for (const number of watched) {
      const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
      const at = await api.at(hash);
      const [block, events, weight, info, fund] = await Promise.all([
        api.rpc.chain.getBlock(hash),
        at.query.system.events(),
        at.query.system.blockWeight(),
        marketInfo(api, crashing.id, hash),
        fundAt(api, hash)
      ]);
      const liquidateAt = new Set<number>();
      block.block.extrinsics.forEach((extrinsic, i) => {
        if (extrinsic.method.section === 'perp' && extrinsic.method.method === 'liquidate') liquidateAt.add(i);
      });
      let liquidations = 0;
      let failed = 0;
      let badDebt = 0n;
      let refTime = 0;
      for (const record of events) {
        const { event, phase } = record;
        if (event.section === 'perp' && event.method === 'PositionLiquidated') {
          liquidations++;
          badDebt += eventBigInt(record, 'badDebt');
        }
        if (!phase.isApplyExtrinsic || !liquidateAt.has(phase.asApplyExtrinsic.toNumber())) continue;
        if (api.events.system.ExtrinsicFailed.is(event)) failed++;
        if (api.events.system.ExtrinsicSuccess.is(event)) refTime += Number(event.data[0].weight.refTime.toBigInt());
      }
      liquidationRefTime += refTime;
      badDebtTotal += badDebt;
      const fundNow = fund;
      if (fundNow < fundLowest) fundLowest = fundNow;
      const dryRuns = new Map<string, number>();
      const measured = await liquidatableAt(api, keeper, hash, markets, dryRuns);
      // Nothing but the session rotation ran in a full block: the parent's count holds.
      const still = measured ?? rows[rows.length - 1]?.still_liquidatable ?? 0;
      const proposal = proposals?.proposals.get(number);
      const index = info.index.isSome ? info.index.unwrap().price.toBigInt() : 0n;
      const row: BlockRow = {
        block: number,
        hash,
        step: Math.min(number - firstBlock + 1, FALL_STEPS),
        liquidations,
        failed,
        bad_debt: eth(badDebt),
        liquidation_ref_time_ps: refTime,
        still_liquidatable: still,
        session_change: measured === undefined,
        dry_runs: Object.fromEntries(dryRuns),
        mark: eth(info.markPrice.toBigInt()),
        index: eth(index),
        fund: eth(fundNow),
        weight_percent: Math.round((1000 * Number(weight.normal.refTime.toBigInt())) / Number(limits.maxNormalRefTime)) / 10,
        proposal_ms: proposal?.ms,
        end: proposal?.end
      };
      rows.push(row);
      // Cleared: the fall is over, the mark has reached the floor and nothing is liquidatable.
      if (clearedAfter === null && rows.length >= FALL_STEPS && still === 0 && info.markPrice.toBigInt() <= (floor * 101n) / 100n) {
        clearedAfter = rows.length;
      }
      log(`#${number}: ${liquidations} liquidated, ${failed} failed, ${still} liquidatable${measured === undefined ? ' (session change: the parent\'s count)' : ''} ${JSON.stringify(Object.fromEntries(dryRuns))}, mark ${row.mark}, index ${row.index}, fund ${row.fund}, weight ${row.weight_percent} %${proposal === undefined ? '' : `, proposed in ${proposal.ms} ms`}`);
    }

    const weights = rows.map(({ weight_percent: percent }) => percent);
    const times = rows.map(({ proposal_ms: ms }) => ms).filter((ms) => ms !== undefined);
    const mean = (values: number[]): number => Math.round((10 * values.reduce((a, b) => a + b, 0)) / Math.max(1, values.length)) / 10;
    const version = (await api.rpc.system.version()).toString();
    return {
      build: options.build,
      positions: run.positions,
      fall: run.fall,
      node: { binary: nodeBinary(), version, cpus: cpus().length },
      setup_seconds: setupSeconds,
      fall_first_block: firstBlock,
      blocks_to_clear: clearedAfter,
      band_limit: Math.ceil(Math.log(1 - run.fall / 100) / Math.log(1 - BAND)),
      weight_limit: Math.ceil(liquidationRefTime / Number(limits.maxNormalRefTime)),
      liquidations: rows.reduce((sum, row) => sum + row.liquidations, 0),
      failed: rows.reduce((sum, row) => sum + row.failed, 0),
      peak_liquidatable: Math.max(0, ...rows.map((row) => row.still_liquidatable)),
      bad_debt: eth(badDebtTotal),
      fund_start: eth(fundStart),
      fund_drawdown: eth(fundStart - fundLowest),
      weight_percent: { max: Math.max(0, ...weights), mean: mean(weights) },
      proposal_ms: times.length === 0 ? null : { max: Math.max(...times), mean: mean(times) },
      rows
    };
  } finally {
    await node.stop();
  }
}

function merge (path: string, reports: RunReport[]): void {
  const existing: RunReport[] = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as RunReport[] : [];
  const key = (report: RunReport): string => `${report.build}:${report.positions}:${report.fall}`;
  const fresh = new Set(reports.map(key));
  const merged = [...existing.filter((report) => !fresh.has(key(report))), ...reports]
    .sort((a, b) => a.positions - b.positions || a.fall - b.fall || a.build.localeCompare(b.build));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
}

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  await cryptoWaitReady();
  const reports: RunReport[] = [];
  for (const run of options.runs) {
    const report = await drill(run, options);
    log(`N = ${run.positions}, ${run.fall} %, ${options.build}: cleared in ${report.blocks_to_clear ?? `> ${report.rows.length}`} blocks (band limit ${report.band_limit}, weight limit ${report.weight_limit}), ` +
      `${report.liquidations} liquidations, ${report.failed} failed, bad debt ${report.bad_debt} ETH, fund drawdown ${report.fund_drawdown} ETH`);
    reports.push(report);
    merge(options.out, reports);
  }
  log(`wrote ${options.out}`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
