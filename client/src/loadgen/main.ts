// floorperp load generator: how many plain transfers and how many perp trades per second one
// node includes, measured in the same run on the same node. See tools/load-generator/README.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';

import '@polkadot/api-augment';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { nodeBinary, nodeBuild, startDevNode } from '../devnode.ts';
import { BlockFollower, blockLimits, type BlockLimits } from './blocks.ts';
import { PhaseMeter } from './meter.ts';
import { parseOptions, USAGE, type Options } from './options.ts';
import { readProposerLog, summarise, type ProposerLog } from './proposer-log.ts';
import { bottleneck, log, summaryText, type NodeInfo, type PhaseReport, type Report } from './report.ts';
import { Submitter, type Sender } from './senders.ts';
import { createMarkets, depositCollateral, devAccounts, feedIndex, fundAccounts, loadAccounts, type LoadMarket } from './setup.ts';
import { isTrade, runTrades } from './trades.ts';
import { isTransfer, runTransfers } from './transfers.ts';

/** startDevNode writes the node's output to client/.logs/<name>.log. */
const NODE_NAME = 'loadgen';
const NODE_LOG = resolve(import.meta.dirname, '..', '..', '.logs', `${NODE_NAME}.log`);

interface Connection {
  api: ApiPromise;
  url: string;
  startedByTool: boolean;
  stop: () => Promise<void>;
}

async function connect (options: Options): Promise<Connection> {
  if (options.url !== undefined) {
    const provider = new WsProvider(options.url, false);
    await provider.connect();
    const api = await ApiPromise.create({ provider, noInitWarn: true });
    return { api, url: options.url, startedByTool: false, stop: async () => await api.disconnect() };
  }
  // The pool's validation and the author's block building are what is measured: the node
  // runs with its defaults, plus whatever the caller passes.
  const node = await startDevNode({ name: NODE_NAME, args: options.nodeArgs });
  return { api: node.api, url: `ws://127.0.0.1:${node.rpcPort}`, startedByTool: true, stop: node.stop };
}

async function nodeInfo (connection: Connection, limits: BlockLimits): Promise<NodeInfo> {
  const { api } = connection;
  const [version, chain] = await Promise.all([api.rpc.system.version(), api.rpc.system.chain()]);
  const slot = await api.call.auraApi.slotDuration();
  return {
    url: connection.url,
    started_by_tool: connection.startedByTool,
    binary: connection.startedByTool ? nodeBinary() : undefined,
    log: connection.startedByTool ? NODE_LOG : undefined,
    version: version.toString(),
    chain: chain.toString(),
    spec_version: api.runtimeVersion.specVersion.toNumber(),
    slot_ms: Number(slot.toString()),
    max_normal_ref_time_ps: limits.maxNormalRefTime.toString(),
    max_normal_length_bytes: limits.maxNormalLength,
    cpus: cpus().length,
    load_average_before: loadavg().map((value) => Math.round(value * 100) / 100),
    note: `client and node share this machine's ${cpus().length} CPU cores (load average ` +
      `${loadavg()[0].toFixed(2)} before the run); ` +
      (connection.startedByTool && nodeBuild() === 'release'
        ? 'a release node: the runtime as compiled WASM and an optimised native side'
        : 'a debug node runs the runtime as compiled WASM, but its native side (pool, trie, RPC) is unoptimised')
  };
}

interface Setup {
  alice: Sender;
  senders: Sender[];
  markets: LoadMarket[];
}

async function prepare (api: ApiPromise, submitter: Submitter, options: Options): Promise<Setup> {
  const dev = devAccounts();
  const alice = await submitter.sender(dev.alice);
  const funders = await Promise.all(dev.funders.map(async (pair) => await submitter.sender(pair)));
  const trading = options.phases.includes('trades');
  let markets: LoadMarket[] = [];
  if (trading) {
    log(`creating ${options.markets} markets and feeding their index`);
    markets = await createMarkets(api, submitter, alice, options.markets);
    await feedIndex(api, submitter, alice, markets);
  }
  log(`deriving ${options.accounts} accounts //load/<i>`);
  const pairs = loadAccounts(options.accounts);
  // No utility pallet in the runtime, so no batches: the five endowed dev accounts fund the
  // load accounts with pipelined transfers.
  const funded = await fundAccounts(api, submitter, funders, pairs);
  log(`funded ${funded} accounts`);
  const senders = await Promise.all(pairs.map(async (pair) => await submitter.sender(pair)));
  if (trading) {
    await depositCollateral(api, submitter, senders);
    log('collateral deposited');
  }
  return { alice, senders, markets };
}

/** Waits until the phase's backlog is included, or gives it up after `timeoutMs`. */
async function drain (submitter: Submitter, follower: BlockFollower, timeoutMs: number): Promise<void> {
  if (await submitter.drain(follower, timeoutMs)) return;
  const abandoned = await submitter.abandonWaiting();
  log(`gave up on ${abandoned} transactions still waiting after ${timeoutMs / 1000} s`);
}

function phaseReport (meter: PhaseMeter, proposerLog: ProposerLog | undefined, pairs?: number): PhaseReport {
  const result = meter.result();
  const proposer = proposerLog === undefined ? undefined : summarise(proposerLog, meter.measuredBlocks());
  for (const entry of result.block_list) {
    const proposal = proposerLog?.proposals.get(entry.number);
    entry.proposal_ms = proposal?.ms;
    entry.end = proposal?.end;
  }
  return { ...result, proposer, bottleneck: bottleneck(result, proposer, pairs) };
}

async function run (options: Options, connection: Connection): Promise<Report> {
  const startedAt = Date.now();
  const { api } = connection;
  const limits = blockLimits(api);
  const node = await nodeInfo(connection, limits);
  const follower = new BlockFollower(api, limits);
  await follower.start();
  try {
    await follower.waitBlocks(1);
    const firstBlock = follower.latest?.number ?? 0;
    const submitter = new Submitter(api, follower);
    const setup = await prepare(api, submitter, options);
    const loadAddresses = new Set(setup.senders.map(({ address }) => address));
    const setupSeconds = (Date.now() - startedAt) / 1000;
    // Long enough for a three-blocks backlog to clear even when blocks hold less than the
    // best block the target was sized from.
    const drainMs = Math.max(60_000, 10 * node.slot_ms);
    const context = { submitter, follower, durationMs: options.duration * 1000, inFlight: options.inFlight };

    const meters: { transfers?: PhaseMeter, trades?: PhaseMeter } = {};
    const oracleFailures = new Map<string, number>();
    const phaseSeconds: { transfers?: number, trades?: number } = {};
    for (const phase of options.phases) {
      const meter = new PhaseMeter(follower, submitter, phase === 'transfers' ? isTransfer(loadAddresses) : isTrade(loadAddresses));
      meters[phase] = meter;
      const phaseStart = Date.now();
      log(`${phase}: ${options.duration} s of load`);
      meter.start();
      if (phase === 'transfers') {
        await runTransfers(api, { ...context, meter }, setup.senders);
      } else {
        await runTrades(api, { ...context, meter }, setup.senders, setup.markets, {
          alice: setup.alice,
          markets: setup.markets,
          // Four feeds per staleness window: one lost feed does not stale the index.
          everyMs: Math.min(60_000, (Number((api.consts.perp.defaultMarketParams as unknown as { maxOracleAge: { toString: () => string } }).maxOracleAge.toString()) * 1000) / 4),
          failures: oracleFailures
        });
      }
      meter.stop();
      log(`${phase}: stopped at block #${follower.latest?.number ?? 0}; draining ${submitter.inFlight} waiting transactions`);
      await drain(submitter, follower, drainMs);
      meter.finish();
      phaseSeconds[phase] = Math.round((Date.now() - phaseStart) / 100) / 10;
    }

    const proposerLog = connection.startedByTool ? readProposerLog(NODE_LOG) : undefined;
    const report: Report = {
      node,
      config: {
        accounts: options.accounts,
        markets: options.markets,
        duration: options.duration,
        in_flight: options.inFlight ?? 'adaptive'
      },
      blocks: {
        first: firstBlock,
        last: follower.latest?.number ?? 0,
        count: (follower.latest?.number ?? 0) - firstBlock + 1,
        proposals_discarded: proposerLog?.discarded
      },
      duration: { total: Math.round((Date.now() - startedAt) / 100) / 10, setup: Math.round(setupSeconds * 10) / 10, ...phaseSeconds }
    };
    if (meters.transfers !== undefined) report.transfers = phaseReport(meters.transfers, proposerLog);
    if (meters.trades !== undefined) {
      const pairs = options.accounts * options.markets;
      report.trades = { ...phaseReport(meters.trades, proposerLog, pairs), pairs, oracle_feed_failures: Object.fromEntries(oracleFailures) };
    }
    if (report.transfers !== undefined && report.trades !== undefined && report.transfers.tps > 0) {
      report.trades_per_transfer = Math.round((report.trades.tps / report.transfers.tps) * 1000) / 1000;
      if (report.transfers.per_block_at_full_weight > 0) {
        report.trades_per_transfer_at_full_weight =
          Math.round((report.trades.per_block_at_full_weight / report.transfers.per_block_at_full_weight) * 1000) / 1000;
      }
    }
    report.node.load_average_after = loadavg().map((value) => Math.round(value * 100) / 100);
    return report;
  } finally {
    follower.stop();
  }
}

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  await cryptoWaitReady();
  log(options.url === undefined ? `starting ${nodeBinary()} --dev --tmp` : `connecting to ${options.url}`);
  const connection = await connect(options);
  // Ctrl-C must not leave a node behind.
  const interrupt = (): void => {
    log('interrupted: stopping');
    connection.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const report = await run(options, connection);
    console.log(summaryText(report));
    if (options.out !== undefined) {
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report: ${options.out}`);
    }
  } finally {
    await connection.stop();
  }
}

main().then(() => process.exit(0)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
