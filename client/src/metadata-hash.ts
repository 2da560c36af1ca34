// Checks that a node's runtime verifies the metadata hash (a node built with
// `--features metadata-hash`, docs/operations.md#release-builds), as a hardware or offline
// signer relies on: it computes the hash of the runtime's metadata as such a signer does
// (RFC-0078's merkleized metadata, FLOOR, 18 decimals), then submits two transfers from the
// dev account //Alice with `CheckMetadataHash` enabled:
// - one signed over that hash must be included;
// - one signed over another hash must be refused as a bad signature.
// Exits non-zero otherwise. A runtime built without the hash refuses both.
//
//   npm run --silent check-metadata-hash -- [ws://127.0.0.1:9944]

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';

const TOKEN_SYMBOL = 'FLOOR';
const DECIMALS = 18;

type Submitted = { included: true, blockHash: string } | { included: false, error: string };

async function transfer (api: ApiPromise, metadataHash: string): Promise<Submitted> {
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const tx = api.tx.balances.transferKeepAlive(bob.address, 1_000_000_000_000n);
  try {
    return await new Promise<Submitted>((resolve, reject) => {
      tx.signAndSend(alice, { mode: 1, metadataHash }, (result) => {
        if (result.status.isInBlock) {
          resolve({ included: true, blockHash: result.status.asInBlock.toHex() });
        } else if (result.isError) {
          reject(new Error(result.status.type));
        }
      }).catch(reject);
    });
  } catch (error) {
    return { included: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function main (): Promise<number> {
  const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
  try {
    const metadata = await api.call.metadata.metadataAtVersion(15);
    if (metadata.isNone) {
      console.error('the runtime serves no V15 metadata');
      return 1;
    }
    const digest = u8aToHex(
      merkleizeMetadata(metadata.unwrap().toU8a(true), { decimals: DECIMALS, tokenSymbol: TOKEN_SYMBOL }).digest()
    );
    const version = api.runtimeVersion;
    console.log(`${version.specName.toString()} spec ${version.specVersion.toString()}: metadata hash ${digest}`);

    const right = await transfer(api, digest);
    console.log(right.included
      ? `signed over this hash: included in ${right.blockHash}`
      : `signed over this hash: refused (${right.error})`);
    const wrong = await transfer(api, u8aToHex(new Uint8Array(32).fill(0xab)));
    console.log(wrong.included
      ? `signed over another hash: included in ${wrong.blockHash}`
      : `signed over another hash: refused (${wrong.error})`);

    const verified = right.included && !wrong.included && /bad signature/i.test(wrong.error);
    console.log(verified
      ? 'the runtime verifies the metadata hash'
      : 'the runtime does NOT verify the metadata hash (built without `--features metadata-hash`?)');
    return verified ? 0 : 1;
  } finally {
    await api.disconnect();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
