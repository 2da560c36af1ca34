// Starts a floorperp node on loopback for a test and stops it afterwards.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';

/** Where the node binary is: `FLOORPERP_NODE`, else the shared cargo target dir's debug build. */
export function nodeBinary (): string {
  if (process.env.FLOORPERP_NODE) return process.env.FLOORPERP_NODE;
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache', 'floorperp-target');
  return join(targetDir, 'debug', 'floorperp-node');
}

/** Which profile built `nodeBinary()`, read from its path (`…/release/…` or not). */
export function nodeBuild (): 'release' | 'debug' {
  return nodeBinary().includes('/release/') ? 'release' : 'debug';
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort (): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningNode {
  api: ApiPromise;
  rpcPort: number;
  stop: () => Promise<void>;
}

export interface NodeOptions {
  /** Chain spec name: `dev` (default) or `local`. */
  chain?: string;
  /** Extra command-line flags. */
  args?: string[];
  /** Name used for the log file under `client/.logs/`. */
  name: string;
}

/**
 * Spawns `floorperp-node --dev --tmp` bound to loopback, connects @polkadot/api to it, and
 * returns a handle whose `stop()` disconnects and kills the node. The node's output goes to
 * `client/.logs/<name>.log` so a failing test can be diagnosed.
 */
export async function startDevNode (options: NodeOptions): Promise<RunningNode> {
  const binary = nodeBinary();
  if (!existsSync(binary)) {
    throw new Error(`node binary not found at ${binary}: build it with 'cargo build -p floorperp-node' or set FLOORPERP_NODE`);
  }
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const logDir = resolve(import.meta.dirname, '..', '.logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${options.name}.log`));

  // `--dev` makes Alice the authority with a throwaway network key; other chains are
  // configured by the caller's `args`.
  const chainArgs = (options.chain ?? 'dev') === 'dev' ? ['--dev'] : [`--chain=${options.chain}`];
  const child: ChildProcess = spawn(binary, [
    ...chainArgs,
    '--tmp',
    `--rpc-port=${rpcPort}`,
    '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--no-prometheus',
    '--no-telemetry',
    '--no-mdns',
    '--offchain-worker=always',
    ...(options.args ?? [])
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, 500);
  let api: ApiPromise;
  try {
    api = await Promise.race([
      ApiPromise.create({ provider, noInitWarn: true }),
      exited.then(() => { throw new Error(`node exited early; see ${logDir}/${options.name}.log`); })
    ]);
  } catch (error) {
    // A provider left reconnecting would keep the test process alive forever.
    await provider.disconnect();
    child.kill('SIGKILL');
    throw error;
  }

  return {
    api,
    rpcPort,
    stop: async () => {
      await api.disconnect();
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killTimer);
      }
      log.end();
    }
  };
}

/** Resolves with the first finalized block number ≥ `target`, or rejects after `timeoutMs`. */
export async function waitForFinalized (api: ApiPromise, target: number, timeoutMs: number): Promise<number> {
  return await new Promise((resolveBlock, reject) => {
    let unsubscribe: (() => void) | undefined;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`no finalized block #${target} within ${timeoutMs} ms`));
    }, timeoutMs);
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      const number = header.number.toNumber();
      if (number >= target) {
        clearTimeout(timer);
        unsubscribe?.();
        resolveBlock(number);
      }
    }).then((unsub) => { unsubscribe = unsub; }).catch(reject);
  });
}
