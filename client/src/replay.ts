// Starts `marketplace-replay` (tools/marketplace-replay) on loopback for a test.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { freePort } from './devnode.ts';

export interface RunningReplay {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  stop: () => Promise<void>;
}

/** The replay server binary: `MARKETPLACE_REPLAY`, else the shared target dir's debug build. */
function replayBinary (): string {
  if (process.env.MARKETPLACE_REPLAY) return process.env.MARKETPLACE_REPLAY;
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache', 'floorperp-target');
  return join(targetDir, 'debug', 'marketplace-replay');
}

export interface ReplayOptions {
  /** OpenSea requests without this `x-api-key` header get a 401, as the real API's do. */
  openseaApiKey?: string;
  /** Seconds between the replayed Ethereum chain's blocks (default 12). */
  blockTime?: number;
  /** The NFT contract the events and logs name (default the zero address). */
  contract?: string;
}

/**
 * Serves the sales of `csv` (BAYC's column layout, wei prices) at `speed` seconds of
 * history per second as OpenSea v2 and LooksRare v2 feeds and an Ethereum JSON-RPC node, and
 * resolves once the server says it is listening.
 */
export async function startReplay (csv: string, speed: number, options: ReplayOptions = {}): Promise<RunningReplay> {
  const binary = replayBinary();
  if (!existsSync(binary)) {
    throw new Error(`replay server not found at ${binary}: build it with 'cargo build -p marketplace-replay'`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(binary, [
    '--input', resolve(csv),
    '--columns', 'time=time,price=amount,token=id,buyer=buyer_address,seller=seller_address',
    '--price-scale', '1e-18',
    '--speed', String(speed),
    '--listen', `127.0.0.1:${port}`,
    ...(options.openseaApiKey === undefined ? [] : ['--opensea-api-key', options.openseaApiKey]),
    ...(options.blockTime === undefined ? [] : ['--block-time', String(options.blockTime)]),
    ...(options.contract === undefined ? [] : ['--contract', options.contract])
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('no stdout from the replay server');
  await new Promise<void>((resolveListening, reject) => {
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => { if (line.startsWith('listening on')) resolveListening(); });
    child.once('exit', (code) => reject(new Error(`replay server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise<void>((resolveExit) => {
        if (child.exitCode !== null) resolveExit(); else child.once('exit', () => resolveExit());
      });
    }
  };
}
