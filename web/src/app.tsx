// The trading page: connection and account in the header; markets, charts, positions, the
// order ticket, collateral and transactions below.

import { useEffect, useMemo, useState } from 'preact/hooks';

import { Chain } from './chain.ts';
import { emptyHistory, History } from './history.ts';
import { Store, useStore } from './store.ts';
import { TxLog } from './txlog.ts';
import { Charts } from './ui/charts.tsx';
import { Collateral } from './ui/collateral.tsx';
import type { AppContext } from './ui/context.ts';
import { MarketDetail, MarketList } from './ui/markets.tsx';
import { Positions } from './ui/positions.tsx';
import { Ticket } from './ui/ticket.tsx';
import { TxPanel } from './ui/txpanel.tsx';
import { devAccounts, enableExtension, extensionName, installedExtensions, type WalletAccount } from './wallets.ts';

export const DEFAULT_ENDPOINT = import.meta.env.VITE_FLOORPERP_RPC ?? 'ws://127.0.0.1:9944';

/** `?rpc=` wins, then the last endpoint used here, then the dev node. */
function initialEndpoint (): string {
  const fromUrl = new URLSearchParams(location.search).get('rpc');
  return fromUrl ?? localStorage.getItem('floorperp.rpc') ?? DEFAULT_ENDPOINT;
}

/** How many past blocks' events the charts read back (`?history=`), one hour by default. */
function historyWindow (): number {
  const fromUrl = Number(new URLSearchParams(location.search).get('history'));
  return Number.isInteger(fromUrl) && fromUrl > 0 ? Math.min(fromUrl, 14_400) : 600;
}

/** An account's entry in the picker: which wallet holds it, and its address. */
function accountKey (account: WalletAccount): string {
  return `${account.source}:${account.address}`;
}

const chain = new Chain();
const txlog = new TxLog();
const NO_HISTORY = new Store(emptyHistory());

export function App () {
  const [endpoint, setEndpoint] = useState(initialEndpoint);
  const [endpointField, setEndpointField] = useState(endpoint);
  const connection = useStore(chain.connection);
  const snapshot = useStore(chain.snapshot);
  const txs = useStore(txlog.entries);
  const [dev, setDev] = useState<WalletAccount[]>([]);
  const [extensions, setExtensions] = useState<string[]>([]);
  const [extensionAccounts, setExtensionAccounts] = useState<Record<string, WalletAccount[]>>({});
  const [extensionError, setExtensionError] = useState<string | null>(null);
  // Wallet and address: the same address may be a dev account and in an extension too, and
  // the chosen wallet is the one that signs.
  const [selected, setSelected] = useState<string | null>(null);
  const [marketId, setMarketId] = useState<number | null>(null);
  const [slippage, setSlippage] = useState('0.5');
  const history = useMemo(() => (connection.state === 'connected' ? new History(connection.api, historyWindow()) : null), [connection]);
  const historyState = useStore(history?.state ?? NO_HISTORY);

  useEffect(() => {
    localStorage.setItem('floorperp.rpc', endpoint);
    void chain.connect(endpoint);
  }, [endpoint]);

  // Extensions inject themselves after the page loads: look again for a few seconds.
  useEffect(() => {
    const look = (): void => setExtensions(installedExtensions());
    look();
    const timers = [300, 1_000, 3_000].map((delay) => setTimeout(look, delay));
    return () => timers.forEach(clearTimeout);
  }, []);

  useEffect(() => {
    if (connection.state !== 'connected') return;
    if (connection.chain.isDev) void devAccounts(connection.api.registry.chainSS58 ?? 42).then(setDev);
    else setDev([]);
  }, [connection]);

  useEffect(() => () => history?.stop(), [history]);

  // The first block after connecting loads the stored price samples, then starts reading
  // back past events (the samples first: the backfill's many queries share the socket);
  // every block feeds the charts.
  useEffect(() => {
    if (history === null) return;
    let started = false;
    let lastEvents = 0;
    const loaded = new Set<number>();
    const loadPrices = async (market: number): Promise<void> => {
      loaded.add(market);
      await history.loadPrices(market).catch((error: unknown) => console.warn(`price history of market ${market}`, error));
    };
    return chain.blocks.subscribe((block) => {
      if (block === null) return;
      const current = chain.snapshot.get();
      const markets = current?.markets ?? [];
      if (!started) {
        started = true;
        lastEvents = block.number;
        void Promise.all(markets.map(async (market) => await loadPrices(market.id))).then(async () => await history.backfill(block.number));
      } else if (block.number > lastEvents && connection.state === 'connected') {
        lastEvents = block.number;
        void connection.api.query.system.events.at(block.hash)
          .then((events) => history.addEvents(block.number, Math.floor(block.time / 1000), events))
          .catch((error: unknown) => console.warn(`events of #${block.number}`, error));
      }
      for (const market of markets) {
        if (!loaded.has(market.id)) void loadPrices(market.id);
        history.addLivePrice(market.id, {
          time: Math.floor(block.time / 1000),
          mark: market.info.markPrice.toBigInt(),
          index: market.info.index.isSome ? market.info.index.unwrap().price.toBigInt() : null
        });
      }
      const account = current?.account;
      if (account?.summary) history.addUnrealized(account.address, Math.floor(block.time / 1000), account.summary.unrealizedPnl.toBigInt() - account.summary.pendingFunding.toBigInt());
    });
  }, [history]);

  const accounts = [...dev, ...Object.values(extensionAccounts).flat()];
  const account = accounts.find((candidate) => accountKey(candidate) === selected) ?? null;
  useEffect(() => chain.selectAccount(account?.address ?? null), [account?.address]);

  const markets = snapshot?.markets ?? [];
  const market = markets.find((candidate) => candidate.id === marketId) ?? markets[0] ?? null;

  const connectExtension = async (key: string): Promise<void> => {
    setExtensionError(null);
    try {
      await enableExtension(key, (list) => setExtensionAccounts((current) => ({ ...current, [key]: list })));
    } catch (error) {
      setExtensionError(`${extensionName(key)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const ctx: AppContext | null = connection.state === 'connected' && snapshot !== null
    ? { api: connection.api, chain, info: connection.chain, txlog, account, blockNumber: snapshot.blockNumber, collateralSymbol: connection.chain.collateral.symbol }
    : null;

  return (
    <>
      <a class="skip-link" href="#ticket-title">Skip to the order ticket</a>
      <header class="topbar">
        <h1 class="brand">floorperp</h1>
        <form class="endpoint" onSubmit={(event) => { event.preventDefault(); setEndpoint(endpointField.trim()); }}>
          <label>
            <span class="sr-only">Node WebSocket URL</span>
            <input value={endpointField} onInput={(event) => setEndpointField(event.currentTarget.value)} spellcheck={false} data-testid="endpoint" />
          </label>
          <button type="submit" class="small">Connect</button>
        </form>
        <p class="status" role="status" data-testid="status" data-state={connection.state}>
          {connection.state === 'connecting' && `Connecting to ${connection.endpoint}…`}
          {connection.state === 'failed' && <span class="bad">Cannot use {connection.endpoint}: {connection.error}</span>}
          {connection.state === 'connected' && (
            <>
              <span class="dot" aria-hidden="true" /> {connection.chain.name}
              {snapshot && <span data-testid="block"> · #{snapshot.blockNumber} <span class="muted">(finalized #{snapshot.finalized})</span></span>}
            </>
          )}
        </p>
        <div class="account-picker">
          <label>
            <span class="sr-only">Account</span>
            <select value={selected ?? ''} onChange={(event) => setSelected(event.currentTarget.value || null)} data-testid="account">
              <option value="">Choose an account…</option>
              {dev.length > 0 && (
                <optgroup label="Development accounts (public keys: dev chain only)">
                  {dev.map((candidate) => <option key={candidate.address} value={accountKey(candidate)} data-address={candidate.address}>{candidate.name} (dev)</option>)}
                </optgroup>
              )}
              {Object.entries(extensionAccounts).map(([key, list]) => (
                <optgroup key={key} label={extensionName(key)}>
                  {list.map((candidate) => <option key={candidate.address} value={accountKey(candidate)} data-address={candidate.address}>{candidate.name}</option>)}
                </optgroup>
              ))}
            </select>
          </label>
          {extensions.filter((key) => extensionAccounts[key] === undefined).map((key) => (
            <button key={key} type="button" class="small" onClick={() => { void connectExtension(key); }}>Connect {extensionName(key)}</button>
          ))}
          {extensions.length === 0 && dev.length === 0 && <span class="muted small-print">Install a Polkadot wallet extension (polkadot{'{.js}'}, Talisman, SubWallet) to trade.</span>}
          {extensionError && <span class="bad small-print">{extensionError}</span>}
        </div>
      </header>
      <main class="layout">
        {ctx === null || snapshot === null
          ? <section class="panel"><p class="muted">{connection.state === 'failed' ? 'Not connected. Check that the node runs (./scripts/dev.sh) and its URL above.' : 'Waiting for the node…'}</p></section>
          : (
            <>
              <nav class="panel markets" aria-labelledby="markets-title">
                <h2 id="markets-title">Markets</h2>
                <MarketList markets={markets} selected={market?.id ?? null} onSelect={setMarketId} />
              </nav>
              {market !== null && <MarketDetail market={market} blockTime={snapshot.blockTime} />}
              {market !== null && <Charts history={historyState} market={market.id} account={account?.address ?? null} />}
              {market !== null && <Ticket ctx={ctx} market={market} slippage={slippage} setSlippage={setSlippage} />}
              <Collateral ctx={ctx} account={snapshot.account} />
              <Positions ctx={ctx} account={snapshot.account} markets={markets} slippage={slippage} />
              <TxPanel entries={txs} />
            </>
          )}
      </main>
    </>
  );
}
