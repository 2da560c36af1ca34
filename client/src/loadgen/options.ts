// Command-line flags of the load generator.

import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface Options {
  /** Seconds of load per phase (transfers, then trades). */
  duration: number;
  /** Number of load accounts (`//load/<i>`). */
  accounts: number;
  /** Number of perp markets traded in the trades phase. */
  markets: number;
  /** An existing node's WebSocket endpoint; without it a fresh `--dev --tmp` node is started. */
  url?: string;
  /** Where the JSON report goes (resolved against the directory the command was run from). */
  out?: string;
  /** Transactions kept in the pool at most; `undefined` adapts it to ~3 blocks' worth. */
  inFlight?: number;
  /** Extra flags for the node the tool starts. */
  nodeArgs: string[];
  /** Phases to run, in order. */
  phases: Phase[];
}

export type Phase = 'transfers' | 'trades';

export const USAGE = `usage: npm run loadgen -- [flags]   (from client/, or tools/load-generator/run.sh [flags])

  --duration <s>     seconds of load per phase (default 60)
  --accounts <n>     load accounts //load/0 … //load/<n-1> (default 400)
  --markets <n>      markets traded in the trades phase, at most 32 (default 4)
  --url <ws://…>     drive an existing dev node (Alice must be sudo and oracle operator);
                     default: start a fresh 'floorperp-node --dev --tmp' ($FLOORPERP_NODE)
  --out <file.json>  write the JSON report there
  --in-flight <n>    cap on our transactions waiting in the pool (default: adaptive,
                     about three blocks' worth of what the chain includes)
  --node-arg <flag>  extra flag for the started node, repeatable (e.g. --node-arg=--pool-limit=20000)
  --phases <list>    comma-separated subset of transfers,trades (default both)
`;

function positiveInteger (name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

function parsePhases (text: string | undefined): Phase[] {
  if (text === undefined) return ['transfers', 'trades'];
  const phases = text.split(',').map((phase) => phase.trim()).filter((phase) => phase !== '');
  for (const phase of phases) {
    if (phase !== 'transfers' && phase !== 'trades') throw new Error(`unknown phase ${phase}`);
  }
  return phases as Phase[];
}

/** `npm run` changes into the package directory; relative paths mean the caller's directory. */
export function callerPath (path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

export function parseOptions (argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      accounts: { type: 'string' },
      markets: { type: 'string' },
      url: { type: 'string' },
      out: { type: 'string' },
      'in-flight': { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
      phases: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  });
  if (values.help === true) return 'help';
  const markets = positiveInteger('markets', values.markets, 4);
  // One oracle feed carries every market's index, and a feed holds at most 32 values.
  if (markets > 32) throw new Error('--markets must be at most 32');
  if (values.url !== undefined && values['node-arg'] !== undefined) {
    throw new Error('--node-arg applies only to a node the tool starts, not with --url');
  }
  return {
    duration: positiveInteger('duration', values.duration, 60),
    accounts: positiveInteger('accounts', values.accounts, 400),
    markets,
    url: values.url,
    out: values.out === undefined ? undefined : callerPath(values.out),
    inFlight: values['in-flight'] === undefined ? undefined : positiveInteger('in-flight', values['in-flight'], 0),
    nodeArgs: values['node-arg'] ?? [],
    phases: parsePhases(values.phases)
  };
}
