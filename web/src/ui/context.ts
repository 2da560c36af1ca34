// What every panel needs from the page: the connection, the signing account, the log that
// submits transactions, and the latest block.

import type { ApiPromise } from '@polkadot/api';

import type { Chain, ChainInfo } from '../chain.ts';
import type { TxLog } from '../txlog.ts';
import type { WalletAccount } from '../wallets.ts';

export interface AppContext {
  api: ApiPromise;
  chain: Chain;
  info: ChainInfo;
  txlog: TxLog;
  account: WalletAccount | null;
  blockNumber: number;
  collateralSymbol: string;
}
