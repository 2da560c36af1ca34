import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const client = fileURLToPath(new URL('../client/src', import.meta.url));

export default defineConfig({
  // Relative asset URLs: the build works from any path of any static file server.
  base: './',
  // JSX: the transform follows tsconfig.json (automatic runtime, preact).
  resolve: {
    alias: { '@client': client },
    // client/src is shared with the end-to-end tests and resolves @polkadot from
    // client/node_modules; one copy of each in the bundle (@polkadot/api checks).
    dedupe: ['@polkadot/api', '@polkadot/api-augment', '@polkadot/keyring', '@polkadot/types', '@polkadot/types-codec', '@polkadot/util', '@polkadot/util-crypto']
  },
  server: { fs: { allow: ['..'] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 2_000 },
  test: { include: ['test/**/*.test.ts'] }
});
