// Measures one phase from the blocks the chain produced while it ran.
//
// Measured blocks are those whose slot began (their timestamp) while the client was
// submitting, at least `WARM_UP_MS` after it started: the first moments only fill the pool.
// The sustained rate is what they included divided by the chain time they span (from the
// previous block's timestamp to the last one's, so missed slots count as time). Blocks after
// the phase stopped drain its backlog; they are reported apart and not in the rate.

import type { BlockFollower, BlockRecord, Included } from './blocks.ts';
import type { Submitter } from './senders.ts';

/** Time the client needs after starting a phase before the pool holds a block's worth. */
const WARM_UP_MS = 2_000;

interface BlockSample {
  number: number;
  timestamp: number;
  counted: number;
  succeeded: number;
  failures: Map<string, number>;
  calls: Map<string, number>;
  /** Σ charged ref_time (ps) of our successful extrinsics, by call. */
  charged: Map<string, number>;
  fullness: number;
  lengthFullness: number;
  extrinsics: number;
  /** Our transactions waiting in the pool when the client read this block. */
  waitingAfter: number;
}

export interface BlockEntry {
  number: number;
  included: number;
  failed: number;
  fullness: number;
  /** Our transactions still waiting in the pool after this block. */
  waiting: number;
  /** From the node's log, when the tool started the node. */
  proposal_ms?: number;
  end?: string;
}

export interface PhaseResult {
  /** Wall-clock seconds the client submitted for. */
  duration: number;
  /** Submissions made (RPC calls). */
  submitted: number;
  /** Submissions the pool accepted (validated and queued). */
  accepted: number;
  /** Accepted submissions per wall-clock second: the client/pool admission rate. */
  submit_rate: number;
  refused: Record<string, number>;
  /** Given up on after vanishing from the pool. */
  dropped: number;
  /** Measured blocks (first, last) and how many. */
  first_block: number;
  last_block: number;
  blocks: number;
  /** Chain time the measured blocks span, seconds. */
  chain_seconds: number;
  /** Our extrinsics of the phase's kind included in the measured blocks, failed ones too. */
  included: number;
  succeeded: number;
  /** Included after the phase stopped, while its backlog drained. */
  included_after_stop: number;
  /** Successful extrinsics per chain second over the measured blocks. */
  tps: number;
  /** Included (successful or not) per chain second. */
  included_tps: number;
  per_block: { avg: number, max: number };
  /** What one block would hold if its weight were the only limit: per-block average / average fullness. */
  per_block_at_full_weight: number;
  /** Normal-class ref_time used / its maximum. */
  avg_fullness: number;
  max_fullness: number;
  /** Extrinsic bytes / the normal class's maximum block length. */
  avg_length_fullness: number;
  max_length_fullness: number;
  /** Dispatch errors of included extrinsics, by `Section.Name`. */
  failed: Record<string, number>;
  /** Included extrinsics by call (`perp.openPosition`, `… (failed)`). */
  by_call: Record<string, number>;
  /**
   * Average ref_time the chain charged a successful extrinsic of each call, µs: its dispatch
   * info after refunds (call weight, extrinsic base weight and transaction extensions), what
   * its fee and the block's weight limit count.
   */
  charged_ref_time_us: Record<string, number>;
  /** The client's CPU time while submitting, as % of one core (it shares the cores with the node). */
  client_cpu_percent: number;
  /** Average over measured blocks of our transactions left waiting in the pool, in blocks' worth. */
  backlog_blocks: number;
  /** Per measured block: number, included, fullness. */
  block_list: BlockEntry[];
}

function increment (counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function round (value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export class PhaseMeter {
  private readonly samples: BlockSample[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  private acceptedAtStart = 0;
  private acceptedAtStop = 0;
  private droppedAtStart = 0;
  private droppedAtStop = 0;
  private readonly refusedAtStart = new Map<string, number>();
  private readonly refusedAtStop = new Map<string, number>();
  private recording = false;
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  private cpuUsed: NodeJS.CpuUsage | undefined;

  constructor (
    private readonly follower: BlockFollower,
    private readonly submitter: Submitter,
    private readonly counts: (item: Included) => boolean
  ) {
    follower.onBlock((block) => { if (this.recording) this.record(block); });
  }

  start (): void {
    this.startedAt = Date.now();
    this.acceptedAtStart = this.submitter.accepted;
    this.droppedAtStart = this.submitter.dropped;
    for (const [reason, count] of this.submitter.refused) this.refusedAtStart.set(reason, count);
    this.cpuAtStart = process.cpuUsage();
    this.recording = true;
  }

  /** The phase stops submitting: blocks from later slots only drain its backlog. */
  stop (): void {
    this.stoppedAt = Date.now();
    this.acceptedAtStop = this.submitter.accepted;
    this.droppedAtStop = this.submitter.dropped;
    for (const [reason, count] of this.submitter.refused) this.refusedAtStop.set(reason, count);
    this.cpuUsed = process.cpuUsage(this.cpuAtStart);
  }

  /** Stops recording blocks (after the drain). */
  finish (): void {
    this.recording = false;
  }

  /**
   * Included extrinsics per block, averaged over the last three blocks: sizes the pool
   * backlog. Not the maximum: after a missed slot one block gets twice the time.
   */
  recentPerBlock (): number {
    const recent = this.samples.slice(-3);
    return recent.length === 0 ? 0 : recent.reduce((sum, sample) => sum + sample.counted, 0) / recent.length;
  }

  /** Block numbers this phase recorded, for matching the node's proposer log. */
  measuredBlocks (): number[] {
    return this.measured().map(({ number }) => number);
  }

  private record (block: BlockRecord): void {
    const ours = block.signed.filter(this.counts);
    const failures = new Map<string, number>();
    const calls = new Map<string, number>();
    const charged = new Map<string, number>();
    for (const item of ours) {
      increment(calls, item.ok ? item.call : `${item.call} (failed)`);
      if (item.ok) increment(charged, item.call, item.chargedRefTime);
      if (!item.ok) increment(failures, item.error ?? 'unknown');
    }
    this.samples.push({
      number: block.number,
      timestamp: block.timestamp,
      counted: ours.length,
      succeeded: ours.filter((item) => item.ok).length,
      failures,
      calls,
      charged,
      fullness: block.fullness,
      lengthFullness: block.lengthFullness,
      extrinsics: block.extrinsics,
      waitingAfter: this.submitter.inFlight
    });
  }

  private stopTime (): number {
    return this.stoppedAt === 0 ? Number.MAX_SAFE_INTEGER : this.stoppedAt;
  }

  private measured (): BlockSample[] {
    const stop = this.stopTime();
    return this.samples.filter(({ timestamp }) => timestamp >= this.startedAt + WARM_UP_MS && timestamp <= stop);
  }

  private chainSeconds (measured: BlockSample[]): number {
    if (measured.length === 0) return 0;
    const before = this.follower.timestampOf(measured[0].number - 1);
    const last = measured[measured.length - 1].timestamp;
    return before === undefined ? 0 : (last - before) / 1000;
  }

  result (): PhaseResult {
    const measured = this.measured();
    const stop = this.stopTime();
    const chainSeconds = this.chainSeconds(measured);
    const included = measured.reduce((sum, sample) => sum + sample.counted, 0);
    const succeeded = measured.reduce((sum, sample) => sum + sample.succeeded, 0);
    const failed = new Map<string, number>();
    const calls = new Map<string, number>();
    const charged = new Map<string, number>();
    for (const sample of measured) {
      for (const [reason, count] of sample.failures) increment(failed, reason, count);
      for (const [call, count] of sample.calls) increment(calls, call, count);
      for (const [call, refTime] of sample.charged) increment(charged, call, refTime);
    }
    const chargedAverage = [...charged].map(([call, total]) => [call, round(total / (calls.get(call) ?? 1) / 1e6, 1)]);
    const refused: Record<string, number> = {};
    for (const [reason, count] of this.refusedAtStop) {
      const delta = count - (this.refusedAtStart.get(reason) ?? 0);
      if (delta > 0) refused[reason] = delta;
    }
    const refusedTotal = Object.values(refused).reduce((sum, count) => sum + count, 0);
    const accepted = this.acceptedAtStop - this.acceptedAtStart;
    const wallSeconds = (this.stoppedAt - this.startedAt) / 1000;
    const perBlockAvg = measured.length === 0 ? 0 : included / measured.length;
    const averageFullness = average(measured.map(({ fullness }) => fullness));
    const backlog = measured.length === 0 || perBlockAvg === 0
      ? 0
      : measured.reduce((sum, sample) => sum + sample.waitingAfter, 0) / measured.length / perBlockAvg;
    return {
      duration: round(wallSeconds, 1),
      submitted: accepted + refusedTotal,
      accepted,
      submit_rate: round(wallSeconds > 0 ? accepted / wallSeconds : 0, 1),
      refused,
      dropped: this.droppedAtStop - this.droppedAtStart,
      first_block: measured[0]?.number ?? 0,
      last_block: measured[measured.length - 1]?.number ?? 0,
      blocks: measured.length,
      chain_seconds: round(chainSeconds, 1),
      included,
      succeeded,
      included_after_stop: this.samples.filter(({ timestamp }) => timestamp > stop).reduce((sum, sample) => sum + sample.counted, 0),
      tps: round(chainSeconds > 0 ? succeeded / chainSeconds : 0, 1),
      included_tps: round(chainSeconds > 0 ? included / chainSeconds : 0, 1),
      per_block: { avg: round(perBlockAvg, 1), max: measured.reduce((max, sample) => Math.max(max, sample.counted), 0) },
      per_block_at_full_weight: Math.round(averageFullness > 0 ? perBlockAvg / averageFullness : 0),
      avg_fullness: round(averageFullness),
      max_fullness: round(Math.max(0, ...measured.map(({ fullness }) => fullness))),
      avg_length_fullness: round(average(measured.map(({ lengthFullness }) => lengthFullness))),
      max_length_fullness: round(Math.max(0, ...measured.map(({ lengthFullness }) => lengthFullness))),
      failed: Object.fromEntries(failed),
      by_call: Object.fromEntries(calls),
      charged_ref_time_us: Object.fromEntries(chargedAverage),
      client_cpu_percent: this.cpuUsed === undefined || wallSeconds === 0
        ? 0
        : Math.round((this.cpuUsed.user + this.cpuUsed.system) / 1e4 / wallSeconds),
      backlog_blocks: round(backlog, 2),
      block_list: measured.map((sample) => ({
        number: sample.number,
        included: sample.counted,
        failed: sample.counted - sample.succeeded,
        fullness: round(sample.fullness),
        waiting: sample.waitingAfter
      }))
    };
  }
}

function average (values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}
