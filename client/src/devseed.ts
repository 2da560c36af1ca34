// Development chain only: gives a fresh `--dev` chain something to trade. As Alice (sudo and
// the dev chain's oracle operator) it lists demo markets through `sudo` when the chain has
// none, then keeps their index fresh by feeding a slowly moving floor, so opening never
// pauses for a stale index (`max_oracle_age`) while a newcomer tries the trading page.
//
//   node --import tsx src/devseed.ts [--rpc ws://127.0.0.1:9944] [--once]
//
// On a real chain markets come from `market_admin` referenda and the index from validators'
// true-floor offchain workers; nothing here is needed or allowed there.

import { pathToFileURL } from 'node:url';

import '@polkadot/api-augment';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { eventBigInt, findEvent, marketParams, MILLI, UNIT } from './perp.ts';
import { signAndFinalize } from './tx.ts';

export interface DemoMarket {
  collection: number;
  baseReserve: bigint;
  quoteReserve: bigint;
}

/** Two collections at floors 10 and 3.5, deep enough that a few units barely move the mark. */
export const DEMO_MARKETS: DemoMarket[] = [
  { collection: 1, baseReserve: 1_000n * UNIT, quoteReserve: 10_000n * UNIT },
  { collection: 2, baseReserve: 2_000n * UNIT, quoteReserve: 7_000n * UNIT }
];

/** Lists `collection` through sudo with `params` (the chain's defaults); returns the new market's id. */
export async function createMarket (
  api: ApiPromise,
  sudoKey: KeyringPair,
  market: DemoMarket,
  params: Record<string, unknown> = marketParams(api)
): Promise<number> {
  const created = await signAndFinalize(
    api.tx.sudo.sudo(api.tx.perp.createMarket(market.collection, market.baseReserve, market.quoteReserve, params)),
    sudoKey
  );
  return Number(eventBigInt(findEvent(created.events, 'perp', 'MarketCreated'), 'market'));
}

/**
 * The demo floor at `seconds`: the launch mark, ±1 % over an hour, so the charts and the
 * funding estimate have something to show. Rounded to 0.001.
 */
export function demoFloor (market: DemoMarket, seconds: number): bigint {
  const mark = (market.quoteReserve * UNIT) / market.baseReserve;
  const wave = Math.round(10 * Math.sin((2 * Math.PI * seconds) / 3600));
  return ((mark / MILLI) * BigInt(1000 + wave) / 1000n) * MILLI;
}

/** Feeds every demo market's floor as the oracle operator. */
export async function feedDemoFloors (api: ApiPromise, operator: KeyringPair, markets: DemoMarket[], seconds: number): Promise<void> {
  await signAndFinalize(api.tx.oracle.feedValues(markets.map((market) => [market.collection, demoFloor(market, seconds)])), operator);
}

async function main (): Promise<void> {
  const args = process.argv.slice(2);
  const rpc = args.includes('--rpc') ? args[args.indexOf('--rpc') + 1] : 'ws://127.0.0.1:9944';
  const once = args.includes('--once');
  const feedEverySeconds = 60;
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(rpc, 1_000), noInitWarn: true });
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const chainType = await api.rpc.system.chainType();
  if (!chainType.isDevelopment && !chainType.isLocal) throw new Error(`refusing to seed a ${chainType.type} chain: dev chains only`);

  const existing = Number((await api.query.perp.nextMarketId()).toString());
  if (existing === 0) {
    for (const market of DEMO_MARKETS) {
      const id = await createMarket(api, alice, market);
      console.log(`devseed: market ${id} lists collection ${market.collection} at mark ${market.quoteReserve / market.baseReserve}`);
    }
  } else {
    console.log(`devseed: the chain already has ${existing} market(s); not creating demo markets`);
  }
  for (;;) {
    try {
      await feedDemoFloors(api, alice, DEMO_MARKETS, Date.now() / 1000);
    } catch (error) {
      console.error(`devseed: feeding the index failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (once) break;
    await new Promise((resolve) => setTimeout(resolve, feedEverySeconds * 1000));
  }
  await api.disconnect();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
