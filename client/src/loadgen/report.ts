// The run's report: JSON for tools, a few lines for people, and which limit was hit.

import type { PhaseResult } from './meter.ts';
import type { ProposerSummary } from './proposer-log.ts';

export interface PhaseReport extends PhaseResult {
  proposer?: ProposerSummary;
  bottleneck: string;
}

export interface TradeReport extends PhaseReport {
  /** Account × market pairs: the most trades one block can get (one per pair per block). */
  pairs: number;
  oracle_feed_failures: Record<string, number>;
}

export interface NodeInfo {
  url: string;
  started_by_tool: boolean;
  binary?: string;
  log?: string;
  version: string;
  chain: string;
  spec_version: number;
  slot_ms: number;
  max_normal_ref_time_ps: string;
  max_normal_length_bytes: number;
  cpus: number;
  load_average_before: number[];
  load_average_after?: number[];
  note: string;
}

export interface Report {
  node: NodeInfo;
  config: { accounts: number, markets: number, duration: number, in_flight: number | 'adaptive' };
  blocks: {
    first: number;
    last: number;
    count: number;
    /** Proposals Aura discarded for taking longer than the slot (node log; started node only). */
    proposals_discarded?: number;
  };
  /** Wall-clock seconds: whole run and per phase. */
  duration: { total: number, setup: number, transfers?: number, trades?: number };
  transfers?: PhaseReport;
  trades?: TradeReport;
  /** Successful trades per second / transfers per second. */
  trades_per_transfer?: number;
  /** The same ratio if weight were each block's only limit (from per_block_at_full_weight). */
  trades_per_transfer_at_full_weight?: number;
}

/**
 * Names what stopped blocks from holding more: the proposer's end reasons when the node's log
 * is available, else what fullness and the pool backlog allow one to conclude.
 */
export function bottleneck (phase: PhaseResult, proposer: ProposerSummary | undefined, pairs?: number): string {
  if (phase.blocks === 0) return 'unknown (no measured blocks)';
  const reasons = proposer?.end_reasons ?? {};
  const blocks = Object.values(reasons).reduce((sum, count) => sum + count, 0);
  const share = (reason: string): number => (blocks === 0 ? 0 : (reasons[reason] ?? 0) / blocks);
  const weight = `${Math.round(phase.avg_fullness * 100)} % weight`;
  if (share('HitDeadline') >= 0.5) {
    return `authoring time: the proposer's deadline ended ${Math.round(share('HitDeadline') * 100)} % of blocks ` +
      `(avg ${proposer?.avg_proposal_ms ?? 0} ms building) at ${weight}`;
  }
  if (share('HitBlockWeightLimit') >= 0.5 || phase.avg_fullness >= 0.9) return `block weight (normal class full, ${weight})`;
  if (share('HitBlockSizeLimit') >= 0.5 || phase.avg_length_fullness >= 0.9) return 'block length';
  if (pairs !== undefined && phase.per_block.avg >= 0.95 * pairs) {
    return `the load's shape: every account × market pair (${pairs}) traded in every block, and the ` +
      'sandwich guard allows one trade per pair per block; raise --accounts or --markets';
  }
  if (phase.backlog_blocks < 1) {
    return `client/pool admission: the pool ran dry (${phase.submit_rate} accepted submissions/s ` +
      `vs ${phase.included_tps} included/s)`;
  }
  if (proposer === undefined) {
    return `the block, not the client (the pool held ${phase.backlog_blocks} blocks' worth), but not its weight ` +
      `(${weight}) or length: most likely the authoring deadline; the node's log says ` +
      "('Prepared block for proposing … end: …'), or run without --url";
  }
  return `transactions waited (${phase.backlog_blocks} blocks' worth) but the author found no more ready ` +
    '(pool readiness/ordering)';
}

function percent (value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function entries (counts: Record<string, number>): string {
  const list = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${reason} ×${count}`);
  return list.length === 0 ? 'none' : list.join(', ');
}

function phaseLines (name: string, phase: PhaseReport): string[] {
  const lines = [
    `${name}: ${phase.tps} /s sustained (${phase.succeeded} ok of ${phase.included} included in ${phase.blocks} blocks, ` +
      `${phase.chain_seconds} s chain time; per block avg ${phase.per_block.avg}, max ${phase.per_block.max}, ` +
      `${phase.per_block_at_full_weight} at full weight)`,
    `  block weight (normal class): avg ${percent(phase.avg_fullness)}, max ${percent(phase.max_fullness)}; ` +
      `length: avg ${percent(phase.avg_length_fullness)}, max ${percent(phase.max_length_fullness)}`,
    `  client: ${phase.accepted} accepted by the pool in ${phase.duration} s = ${phase.submit_rate} /s; ` +
      `client CPU ${phase.client_cpu_percent} % of a core; ` +
      `refused: ${entries(phase.refused)}; dropped: ${phase.dropped}; backlog avg ${phase.backlog_blocks} blocks; ` +
      `${phase.included_after_stop} included after the phase stopped`,
    `  failed: ${entries(phase.failed)}`,
    `  charged ref_time per transaction, after refunds: ${Object.entries(phase.charged_ref_time_us)
      .map(([call, us]) => `${call} ${us} µs`).join(', ') || 'none'}`
  ];
  if (phase.proposer !== undefined) {
    lines.push(`  proposer: ${entries(phase.proposer.end_reasons)}; building avg ${phase.proposer.avg_proposal_ms} ms, ` +
      `max ${phase.proposer.max_proposal_ms} ms; ${phase.proposer.discarded} proposals discarded for overrunning the slot`);
  }
  lines.push(`  limited by: ${phase.bottleneck}`);
  return lines;
}

export function summaryText (report: Report): string {
  const { node } = report;
  const lines = [
    '',
    `floorperp load: ${report.config.accounts} accounts, ${report.config.markets} markets, ` +
      `${report.config.duration} s per phase, in-flight ${report.config.in_flight}`,
    `node: ${node.url} (${node.chain}, ${node.version}, spec ${node.spec_version}); slot ${node.slot_ms} ms; ` +
      `blocks #${report.blocks.first}–#${report.blocks.last}`,
    `note: ${node.note}`
  ];
  if (report.transfers !== undefined) lines.push(...phaseLines('transfers', report.transfers));
  if (report.trades !== undefined) {
    lines.push(...phaseLines('trades', report.trades));
    lines.push(`  by call: ${entries(report.trades.by_call)}; ` +
      `oracle feed failures: ${entries(report.trades.oracle_feed_failures)}`);
  }
  if (report.trades_per_transfer !== undefined) {
    lines.push(`trades per transfer: ${report.trades_per_transfer} (one trade costs the block ` +
      `${report.trades_per_transfer > 0 ? (1 / report.trades_per_transfer).toFixed(1) : '∞'} transfers); ` +
      `by weight alone: ${report.trades_per_transfer_at_full_weight ?? 'n/a'}`);
  }
  lines.push(`wall time: ${report.duration.total} s (setup ${report.duration.setup} s)`);
  return lines.join('\n');
}

/** A progress line, stamped with the time of day. */
export function log (message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}
