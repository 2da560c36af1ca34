// Where accounts come from: browser extensions that inject `window.injectedWeb3` (the
// polkadot.js extension, Talisman, SubWallet, …) and, on development chains only, the
// well-known dev accounts whose secret seeds are public.

import { Keyring } from '@polkadot/keyring';
import type { Signer } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import type { TxSigner } from '@client/tx.ts';

export interface WalletAccount {
  address: string;
  name: string;
  /** `dev` for the well-known development accounts, else the extension's name. */
  source: string;
  signer: TxSigner;
}

interface InjectedAccount {
  address: string;
  name?: string;
  type?: string;
}

interface Injected {
  accounts: {
    get: () => Promise<InjectedAccount[]>;
    subscribe?: (callback: (accounts: InjectedAccount[]) => void) => () => void;
  };
  signer: Signer;
}

interface InjectedWindowProvider {
  enable?: (origin: string) => Promise<Injected>;
  version?: string;
}

declare global {
  interface Window {
    injectedWeb3?: Record<string, InjectedWindowProvider>;
  }
}

/** Display names of the extensions traders use; others show their key. */
const EXTENSION_NAMES: Record<string, string> = {
  'polkadot-js': 'polkadot{.js}',
  talisman: 'Talisman',
  'subwallet-js': 'SubWallet'
};

export function extensionName (key: string): string {
  return EXTENSION_NAMES[key] ?? key;
}

/** The extensions present in this browser (they inject themselves shortly after load). */
export function installedExtensions (): string[] {
  return Object.keys(window.injectedWeb3 ?? {}).filter((key) => typeof window.injectedWeb3?.[key]?.enable === 'function');
}

export const DEV_ACCOUNT_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/** The development accounts (`//Alice` …), offered on development chains only. */
export async function devAccounts (ss58Format: number): Promise<WalletAccount[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format });
  return DEV_ACCOUNT_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`, { name });
    return { address: pair.address, name, source: 'dev', signer: pair };
  });
}

/**
 * Asks the extension `key` for access (it shows its own approval prompt) and follows its
 * accounts: `onAccounts` is called with the current list and on every change.
 */
export async function enableExtension (key: string, onAccounts: (accounts: WalletAccount[]) => void): Promise<() => void> {
  const provider = window.injectedWeb3?.[key];
  if (provider?.enable === undefined) throw new Error(`${extensionName(key)} is not installed in this browser`);
  const injected = await provider.enable('floorperp');
  const toWallet = (accounts: InjectedAccount[]): WalletAccount[] => accounts
    // Ethereum-style accounts (Talisman, SubWallet) cannot sign for this chain.
    .filter((account) => account.type === undefined || account.type === 'sr25519' || account.type === 'ed25519' || account.type === 'ecdsa')
    .map((account) => ({
      address: account.address,
      name: account.name ?? account.address,
      source: extensionName(key),
      signer: { address: account.address, signer: injected.signer }
    }));
  onAccounts(toWallet(await injected.accounts.get()));
  return injected.accounts.subscribe?.((accounts) => onAccounts(toWallet(accounts))) ?? (() => {});
}
