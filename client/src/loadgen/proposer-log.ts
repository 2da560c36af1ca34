// Why the node's block author stopped adding transactions to each block, from its log.
//
// sc-basic-authorship logs every proposal at info level:
//   🎁 Prepared block for proposing at 12 (3590 ms) hash: …; parent_hash: …; end: HitDeadline; extrinsics_count: 812
// `end` is NoMoreTransactions (the pool ran dry), HitDeadline (the authoring time budget ran
// out), HitBlockWeightLimit or HitBlockSizeLimit. Together with block fullness it names the
// cap: a block that ends on HitDeadline at 40 % weight is limited by execution speed, not by
// its weight limit.

import { existsSync, readFileSync } from 'node:fs';

export interface Proposal {
  number: number;
  ms: number;
  end: string;
  extrinsics: number;
  /** Earlier proposals at this height that Aura discarded (each a missed slot). */
  discardedBefore: number;
}

const PROPOSAL = /Prepared block for proposing at (\d+) \((\d+) ms\).*end: (\w+); extrinsics_count: (\d+)/;
const DISCARDED = /Discarding proposal for slot/;

export interface ProposerLog {
  proposals: Map<number, Proposal>;
  /** Proposals Aura threw away because building took longer than the slot allowed. */
  discarded: number;
}

export function readProposerLog (path: string): ProposerLog | undefined {
  if (!existsSync(path)) return undefined;
  const proposals = new Map<number, Proposal>();
  let discarded = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (DISCARDED.test(line)) discarded++;
    const match = PROPOSAL.exec(line);
    if (match === null) continue;
    const number = Number(match[1]);
    // A discarded proposal is retried at the same height in a later slot: the last one is the block.
    const discardedBefore = proposals.has(number) ? (proposals.get(number)?.discardedBefore ?? 0) + 1 : 0;
    proposals.set(number, { number, ms: Number(match[2]), end: match[3], extrinsics: Number(match[4]), discardedBefore });
  }
  return { proposals, discarded };
}

export interface ProposerSummary {
  /** How many measured blocks ended for each reason. */
  end_reasons: Record<string, number>;
  avg_proposal_ms: number;
  max_proposal_ms: number;
  /** Proposals for these heights that were discarded for overrunning the slot (missed slots). */
  discarded: number;
}

export function summarise (log: ProposerLog, blocks: number[]): ProposerSummary | undefined {
  const proposals = blocks.map((number) => log.proposals.get(number)).filter((proposal) => proposal !== undefined);
  if (proposals.length === 0) return undefined;
  const reasons: Record<string, number> = {};
  for (const { end } of proposals) reasons[end] = (reasons[end] ?? 0) + 1;
  return {
    end_reasons: reasons,
    avg_proposal_ms: Math.round(proposals.reduce((sum, { ms }) => sum + ms, 0) / proposals.length),
    max_proposal_ms: Math.max(...proposals.map(({ ms }) => ms)),
    discarded: proposals.reduce((sum, { discardedBefore }) => sum + discardedBefore, 0)
  };
}
