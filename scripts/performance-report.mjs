#!/usr/bin/env node
// Writes docs/PERFORMANCE.md from one benchmark run: the generated `weights.rs` of floorperp's
// pallets, `pallet_balances::transfer_keep_alive` measured by the same run with the same
// template, the offchain liquidation scan's raw results, and the load generator's report.
// Run by `scripts/benchmark.sh`; usage: performance-report.mjs <balances-weights.rs> <out.md>.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const [balancesWeights, output] = process.argv.slice(2);
if (!balancesWeights || !output) {
  console.error('usage: performance-report.mjs <balances-weights.rs> <out.md>');
  process.exit(2);
}

// The runtime's constants (runtime/src/configs.rs and frame-support 49's measured constants):
// ParityDB's read and write weights, the per-extrinsic base weight every transaction pays on
// top of its call, and the normal dispatch class's share of a 2 s block.
const PS_PER_US = 1_000_000;
const DB_READ_PS = 8_000 * 1_000;
const DB_WRITE_PS = 50_000 * 1_000;
const EXTRINSIC_BASE_PS = 108_157 * 1_000;
const NORMAL_BLOCK_PS = 0.75 * 2_000_000 * PS_PER_US;
const MAX_POSITIONS_COMPONENT = 15;

const PALLETS = [
  ['pallet_perp', 'pallets/perp/src/weights.rs'],
  ['pallet_insurance', 'pallets/insurance/src/weights.rs'],
  ['pallet_true_floor_oracle', 'pallets/true-floor-oracle/src/weights.rs'],
  ['pallet_validator_manager', 'runtime/src/validators/manager_weights.rs']
];

// What each storage item a call touches is, so a reader can tell why it is read or written.
const STORAGE_ROLES = {
  'Perp::Markets': 'the traded market: curve, open interest, funding, band, accrued fees, parameters (one per other cross position valued)',
  'Perp::Positions': "the trader's position in the market (and each other cross position valued)",
  'Perp::Traders': "the trader's position count and sandwich-guard record",
  'Perp::MarketByCollection': 'one market per collection',
  'Perp::NextMarketId': 'market id counter',
  'Perp::PriceHistory': 'TWAP samples',
  'Perp::LiquiditySnapshots': 'curve snapshots of liquidity migrations',
  'Perp::LiquidationsInBlock': "this block's authorised-liquidation budget",
  'Timestamp::Now': 'the block time (oracle age, funding, TWAPs)',
  'Oracle::Values': 'the index price (pallet-oracle)',
  'Balances::Holds': "the trader's held collateral (fungible hold)",
  'System::Account': 'balances of the vault, insurance fund, treasury or keeper (the signer\'s own is paid by the fee extension and whitelisted)',
  'Insurance::LowWatermark': 'insurance fund low-watermark',
  'Insurance::BelowLowWatermark': 'whether the fund is below its low watermark',
  'Insurance::Payouts': 'per-market, per-period payout caps of the insurance fund',
  'TrueFloor::Collections': 'configured collections of the true-floor oracle',
  'TrueFloor::LastFeed': "the operator's last feed (replay protection)",
  'OracleOperators::Members': 'oracle operator membership',
  'Oracle::RawValues': "each operator's raw value per key",
  'Oracle::HasDispatched': 'operators that fed in this block',
  'Session::NextKeys': "the candidate's registered session keys",
  'ValidatorManager::Validators': 'the validator set pallet-session plans next',
  'ValidatorManager::PlanPending': 'whether the next session planning takes a changed set'
};

/** The benchmarked functions of one generated weights file. */
function parseWeights (path) {
  const text = readFileSync(path, 'utf8');
  const impl = text.slice(text.indexOf('impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T>'));
  const body = impl.slice(0, impl.indexOf('\n}\n'));
  const calls = [];
  const blocks = body.split(/\n\t}\n/);
  for (const block of blocks) {
    const signature = block.match(/fn (\w+)\(([^)]*)\) -> Weight \{/);
    if (!signature) continue;
    const storage = [...block.matchAll(/\/\/\/ Storage: `([^`]+)` \(r:(\d+) w:(\d+)\)/g)]
      .map(([, item, r, w]) => ({ item, reads: Number(r), writes: Number(w) }));
    const ranges = Object.fromEntries([...block.matchAll(/component `(\w+)` is `\[(\d+), (\d+)\]`/g)]
      .map(([, name, min, max]) => [name, [Number(min), Number(max)]]));
    const [, base, proof] = block.match(/Weight::from_parts\(([\d_]+), (\d+)\)/);
    const slope = (pattern) => Object.fromEntries([...block.matchAll(pattern)]
      .map(([, value, name]) => [name, Number(value.replaceAll('_', ''))]));
    calls.push({
      name: signature[1],
      components: ranges,
      refTime: Number(base.replaceAll('_', '')),
      proof: Number(proof),
      refTimeSlope: slope(/Weight::from_parts\(([\d_]+), 0\)\.saturating_mul\((\w+)\.into\(\)\)/g),
      proofSlope: slope(/Weight::from_parts\(0, ([\d_]+)\)\.saturating_mul\((\w+)\.into\(\)\)/g),
      reads: Number(block.match(/reads\((\d+)_u64\)\)/)?.[1] ?? 0),
      readSlope: slope(/reads\(\((\d+)_u64\)\.saturating_mul\((\w+)\.into\(\)\)\)/g),
      writes: Number(block.match(/writes\((\d+)_u64\)\)/)?.[1] ?? 0),
      writeSlope: slope(/writes\(\((\d+)_u64\)\.saturating_mul\((\w+)\.into\(\)\)\)/g),
      storage
    });
  }
  return calls;
}

/** A call's weight with its components at `values` (default: each at its maximum). */
function evaluate (call, values = {}) {
  const at = (name) => values[name] ?? call.components[name]?.[1] ?? 0;
  const sum = (base, slopes) => Object.entries(slopes).reduce((total, [name, slope]) => total + slope * at(name), base);
  const reads = sum(call.reads, call.readSlope);
  const writes = sum(call.writes, call.writeSlope);
  const execution = sum(call.refTime, call.refTimeSlope);
  return {
    execution,
    reads,
    writes,
    refTime: execution + reads * DB_READ_PS + writes * DB_WRITE_PS,
    proof: sum(call.proof, call.proofSlope)
  };
}

const us = (ps) => (ps / PS_PER_US).toFixed(1);
const ratio = (a, b) => (a / b).toFixed(2);
const componentText = (values) => Object.entries(values).map(([name, value]) => `${name}=${value}`).join(', ');

function header () {
  const perp = readFileSync(join(root, PALLETS[0][1]), 'utf8');
  const meta = perp.match(/CLI VERSION ([^,]+), DATE: ([^,]+), STEPS: `(\d+)`, REPEAT: `(\d+)`/);
  const host = perp.match(/HOSTNAME: `([^`]+)`, CPU: `([^`]+)`/);
  return { version: meta[1], date: meta[2], steps: meta[3], repeat: meta[4], host: host[1], cpu: host[2] };
}

function callTable (weights, reference, overhead) {
  const rows = [];
  for (const [pallet, calls] of weights) {
    for (const call of calls) {
      const settings = Object.keys(call.components).length === 0
        ? [{}]
        : [Object.fromEntries(Object.entries(call.components).map(([n, [min]]) => [n, min])), {}];
      for (const values of settings) {
        const weight = evaluate(call, values);
        const shown = Object.keys(call.components).length === 0
          ? ''
          : ` (${componentText(Object.fromEntries(Object.entries(call.components).map(([n, [, max]]) => [n, values[n] ?? max])))})`;
        rows.push(`| ${pallet}::${call.name}${shown} | ${us(weight.execution)} | ${weight.reads} / ${weight.writes} | ${us(weight.refTime)} | ${ratio(weight.refTime, reference.refTime)} | ${ratio(weight.refTime + overhead, reference.refTime + overhead)} | ${weight.proof} | ${ratio(weight.proof, Math.max(reference.proof, 1))} |`);
      }
    }
  }
  return rows.join('\n');
}

function storageTable (weights) {
  const rows = [];
  for (const [pallet, calls] of weights) {
    for (const call of calls) {
      if (call.storage.length === 0) continue;
      const items = call.storage.map(({ item, reads, writes }) => `\`${item}\` r${reads}/w${writes}`).join(', ');
      rows.push(`| ${pallet}::${call.name} | ${items} |`);
    }
  }
  return rows.join('\n');
}

function capacity (transfer, openAt0, openAtMax, declared, overheadPs) {
  const overhead = overheadPs ?? EXTRINSIC_BASE_PS;
  const perBlock = (weight) => Math.floor(NORMAL_BLOCK_PS / (weight + overhead));
  return [
    '| transaction | charged weight (µs) | per block | per second (6 s blocks) |',
    '|---|---:|---:|---:|',
    ...[
      ['balances.transfer_keep_alive', transfer],
      ['perp.open_position, no other cross position (c=0)', openAt0],
      [`perp.open_position, ${MAX_POSITIONS_COMPONENT} other cross positions (c=${MAX_POSITIONS_COMPONENT})`, openAtMax],
      ['perp.open_position as declared before dispatch (c=15 + a funding settlement)', declared]
    ].map(([name, weight]) => `| ${name} | ${us(weight + overhead)} | ${perBlock(weight)} | ${(perBlock(weight) / 6).toFixed(0)} |`)
  ].join('\n');
}

function scanSection () {
  const path = join(root, 'docs/perf/liquidation-scan.json');
  if (!existsSync(path)) return '_Not measured yet: run `./scripts/benchmark.sh` (it runs the scan benchmark with `--extra`)._';
  const [result] = JSON.parse(readFileSync(path, 'utf8'));
  const byN = new Map();
  for (const sample of result.time_results) {
    const n = sample.components.find(([name]) => name === 'n')[1];
    byN.set(n, [...(byN.get(n) ?? []), sample.extrinsic_time]);
  }
  const reads = new Map(result.db_results.map((sample) => [sample.components[0][1], sample.reads]));
  const config = readFileSync(join(root, 'runtime/src/configs.rs'), 'utf8');
  const scanned = Number(config.match(/LiquidationScanLimit = ConstU32<(\d+)>/)[1]);
  const rows = [...byN.entries()].sort(([a], [b]) => a - b).map(([n, times]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const ns = median; // extrinsic_time is in nanoseconds
    return `| ${n.toLocaleString('en-US')} | ${(ns / 1e6).toFixed(2)} ms | ${(ns / scanned / 1e3).toFixed(1)} µs | ${Math.round(scanned / (ns / 1e9)).toLocaleString('en-US')} | ${reads.get(n)} | ${Math.ceil(n / scanned)} blocks |`;
  });
  return [
    `One validator's offchain worker examines \`LiquidationScanLimit\` = ${scanned} positions per block, resuming from a cursor.`,
    'Benchmark `liquidation_scan` (`pallets/perp/src/benchmarking.rs`, an `extra` benchmark) times one such block',
    'in the runtime (compiled WASM, as the offchain worker runs it) among `n` stored positions: 4 per account,',
    '3 cross and 1 isolated, all healthy so each is assessed in full.',
    '',
    `| stored positions | one block's scan (${scanned}) | per position | positions / s | storage reads | full sweep by one validator |`,
    '|---:|---:|---:|---:|---:|---:|',
    ...rows
  ].join('\n');
}

function readLoad () {
  const path = join(root, 'docs/perf/load.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

function loadSection (load) {
  if (load === undefined) return '_Not measured yet: run the load generator (command above)._';
  const row = (name, phase) => `| ${name} | ${phase.tps} | ${phase.per_block.avg} (max ${phase.per_block.max}) | ` +
    `${(phase.avg_fullness * 100).toFixed(1)} % (max ${(phase.max_fullness * 100).toFixed(1)} %) | ${phase.per_block_at_full_weight} | ` +
    `${Object.entries(phase.charged_ref_time_us ?? {}).map(([call, us]) => `${call} ${us}`).join(', ')} | ` +
    `${Object.values(phase.failed).reduce((sum, count) => sum + count, 0)} | ${phase.submit_rate} |`;
  return [
    `${load.config.accounts} accounts, ${load.config.markets} markets, ${load.config.duration} s per phase, blocks ` +
      `#${load.blocks.first}–#${load.blocks.last} of one \`--dev\` node (${load.node.version}); ${load.node.note}.`,
    '',
    '| phase | included / s | per block | block weight used | per block at full weight | charged ref_time per tx (µs) | failed | client submitted / s |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    row('balances.transferKeepAlive', load.transfers),
    row('perp.openPosition / closePosition', load.trades),
    '',
    `Trades per transfer: **${load.trades_per_transfer}** measured, ${load.trades_per_transfer_at_full_weight} by weight alone. ` +
      `What ended every block: ${load.trades.bottleneck}; transfers: ${load.transfers.bottleneck}. ` +
      'The debug node spends the proposer\'s 2/3-of-a-slot budget (about 3.8 s) before either kind of block is full; ' +
      'a release build on a quiet machine moves the limit toward weight. The raw report, block by block, is `docs/perf/load.json`.'
  ].join('\n');
}

function history () {
  const path = join(root, 'docs/perf/history.md');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
}

const meta = header();
const transferCall = parseWeights(balancesWeights).find((call) => call.name === 'transfer_keep_alive');
const transfer = evaluate(transferCall);
const weights = PALLETS.map(([pallet, path]) => [pallet, parseWeights(join(root, path))]);
const perpCall = (name) => weights[0][1].find((call) => call.name === name);
const open = perpCall('open_position');
const settle = perpCall('settle_funding');
const openAt0 = evaluate(open, { c: 0 });
const openAtMax = evaluate(open, { c: MAX_POSITIONS_COMPONENT });
const declared = openAtMax.refTime + evaluate(settle).refTime;
const load = readLoad();
// What every signed transaction adds to its call on chain (extrinsic base weight and the
// transaction extensions), measured: the transfer's charged weight less its call weight.
const chargedTransfer = load?.transfers.charged_ref_time_us?.['balances.transferKeepAlive'];
const chargedOpen = load?.trades.charged_ref_time_us?.['perp.openPosition'];
const overheadPs = chargedTransfer === undefined ? undefined : chargedTransfer * PS_PER_US - transfer.refTime;
const perTx = (refTime) => overheadPs === undefined ? 'n/a' : us(refTime + overheadPs);
const perTxRatio = (refTime) => overheadPs === undefined ? 'n/a' : ratio(refTime + overheadPs, transfer.refTime + overheadPs);

const doc = `# Performance

Generated by \`./scripts/benchmark.sh\` (do not edit; the before/after history comes from
\`docs/perf/history.md\`, the load test from \`docs/perf/load.json\`). One benchmark run on
\`${meta.host}\` (${meta.cpu}, 2 cores), ${meta.date}, frame-omni-bencher ${meta.version},
${meta.steps} steps × ${meta.repeat} repeats, the runtime's release WASM, ParityDB weights
(read ${us(DB_READ_PS)} µs, write ${us(DB_WRITE_PS)} µs).

Reproduce: \`./scripts/benchmark.sh\` (perp, insurance, true-floor-oracle and the runtime's faucet and validator manager, \`transfer_keep_alive\` and the scan:
about 10 minutes here once frame-omni-bencher is installed), then the load test below
(3 minutes), which this report reads from \`docs/perf/load.json\`.

## Headline

Two ways to compare, both from this run. The call weight is what the benchmark measures of
the call alone. A transaction is charged more: its call weight plus the extrinsic base weight
(${us(EXTRINSIC_BASE_PS)} µs) and the transaction extensions' weights (nonce, era, fee payment,
weight accounting, ...), the same for every signed transaction. That total is what its fee is
computed from and what the block's weight limit counts; the load test reads it from each
transaction's \`ExtrinsicSuccess\` dispatch info: ${chargedTransfer ?? 'n/a'} µs per transfer,
so the per-transaction overhead is ${overheadPs === undefined ? 'n/a' : us(overheadPs)} µs.

| | call weight (µs) | × transfer | per transaction (µs) | × transfer |
|---|---:|---:|---:|---:|
| balances.transfer_keep_alive | ${us(transfer.refTime)} | 1.00 | ${perTx(transfer.refTime)} | 1.00 |
| perp.open_position, c=0 | ${us(openAt0.refTime)} | ${ratio(openAt0.refTime, transfer.refTime)} | ${perTx(openAt0.refTime)} | ${perTxRatio(openAt0.refTime)} |
| perp.open_position, c=${MAX_POSITIONS_COMPONENT} | ${us(openAtMax.refTime)} | ${ratio(openAtMax.refTime, transfer.refTime)} | ${perTx(openAtMax.refTime)} | ${perTxRatio(openAtMax.refTime)} |
| perp.openPosition as charged in the load test (c = 0–3) | | | ${chargedOpen ?? 'n/a'} | ${chargedOpen === undefined || chargedTransfer === undefined ? 'n/a' : ratio(chargedOpen, chargedTransfer)} |

\`c\` is the number of the trader's *other* cross positions the margin check values (0–15;
\`MaxPositionsPerAccount\` = 16). A trade is charged \`open_position(15) + settle_funding\` before
dispatch and refunded to \`open_position(c)\` (plus \`settle_funding\` only when the trade
settled a due funding period). The benchmark is the worst path: a reversal (close and reopen)
that realises PnL, pays a fee and commits margin.

## Every call next to transfer_keep_alive

Execution is the measured time; ref_time adds ${us(DB_READ_PS)} µs per read and
${us(DB_WRITE_PS)} µs per write. Calls with components are shown at the minimum and maximum.
"× transfer (tx)" adds the per-transaction overhead to both sides.

| call | execution (µs) | reads / writes | ref_time (µs) | × transfer | × transfer (tx) | proof (bytes) | × transfer proof |
|---|---:|---:|---:|---:|---:|---:|---:|
| pallet_balances::transfer_keep_alive | ${us(transfer.execution)} | ${transfer.reads} / ${transfer.writes} | ${us(transfer.refTime)} | 1.00 | 1.00 | ${transfer.proof} | 1.00 |
${callTable(weights, transfer, overheadPs ?? EXTRINSIC_BASE_PS)}

## How many fit in a block

The normal dispatch class may fill 75 % of a 2 s block (1.5 s of ref_time); each transaction
counts its call weight plus the per-transaction overhead above (the extrinsic base weight alone
when the load test has not run). A block builder admits a transaction by its declared weight
and takes back the refund after dispatch, so the declared row bounds only the last few
transactions of a full block. Proof size is unlimited on this solo
chain and block length (3.75 MiB for normal transactions) is not the binding limit for these calls.

${capacity(transfer.refTime, openAt0.refTime, openAtMax.refTime, declared, overheadPs)}

## Where reads and writes come from

Counts are per call at its worst case, from the benchmark's storage tracking (a key read or
written several times counts once; the signer's \`System::Account\` is whitelisted because the
transaction's fee payment already touched it).

| call | storage (reads / writes) |
|---|---|
${storageTable(weights)}

What the items are:

${Object.entries(STORAGE_ROLES).map(([item, role]) => `- \`${item}\`: ${role}`).join('\n')}

## Offchain liquidation scan

${scanSection()}

## Load test on a dev node

\`cd client && npm run loadgen -- --out ../docs/perf/load.json\` starts a \`--dev\` node, funds
many accounts, runs plain transfers, then perp trades, on the same node in the same run, and
reports included transactions per second and block fullness.

${loadSection(load)}

${history()}
`;

writeFileSync(output, doc);
console.log(`wrote ${output}`);
