// What the browser tests need around the page: the built page served over HTTP on loopback,
// and Debian's Chromium driven by playwright-core (no browser download).

import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

import { chromium, type Browser } from 'playwright-core';

export const WEB_ROOT = resolve(import.meta.dirname, '..');
export const ARTIFACTS = join(WEB_ROOT, '.artifacts', 'e2e');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm'
};

/** Serves `web/dist` (what `npm run build` wrote) on 127.0.0.1; resolves with its URL. */
export async function serveBuild (): Promise<{ url: string, close: () => Promise<void> }> {
  const dist = join(WEB_ROOT, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no build in ${dist}: run 'npm run build' in web/ first`);
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
  };
}

/** Flags that work on this machine's headless Chromium (a container, no GPU, no network). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

/** Debian's Chromium (`CHROMIUM` overrides the path) with a fresh profile. */
export async function launchChromium (): Promise<Browser> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run scripts/setup.sh (apt-get install chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  // playwright-core launches with a fresh temporary --user-data-dir of its own.
  return await chromium.launch({ executablePath, headless: true, args: FLAGS });
}

/** Retries `check` until it stops throwing or `timeoutMs` passes (then rethrows its error). */
export async function eventually<T> (check: () => Promise<T>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolveWait) => setTimeout(resolveWait, intervalMs));
    }
  }
}
