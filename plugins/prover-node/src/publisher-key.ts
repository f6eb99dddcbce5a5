// The prover's L1 key: it signs quotes, sends proofs and holds the bond.
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import type { L1Connection } from '@quetzal/protocol/l1-connection';

/** anvil's dev account the prover uses when no key is given (the sequencer uses 1, the bot 3). */
export const PROVER_DEV_ACCOUNT = 2;

/** The key from the flag, the key file, or (anvil only) the prover's dev account. Never logged. */
export function publisherKey(flag: string | undefined, file: string | undefined, l1: Pick<L1Connection, 'isDevChain' | 'chainId'>, log: (m: string) => void): Hex {
  let key = flag;
  if (!key && file) {
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new Error(`cannot read --prover-node.publisher-private-key-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
    }
  }
  if (key) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`the prover's L1 key (${flag ? '--prover-node.publisher-private-key' : file}) must be 32 bytes of 0x-prefixed hex`);
    return key as Hex;
  }
  if (!l1.isDevChain) throw new Error(`no prover L1 key: pass --prover-node.publisher-private-key or --prover-node.publisher-private-key-file (chain ${l1.chainId} is not anvil, so no dev key is used)`);
  const dev = ANVIL_DEFAULT_PRIVATE_KEYS[PROVER_DEV_ACCOUNT]!;
  log(`no prover key given: using anvil's dev account ${PROVER_DEV_ACCOUNT} (${privateKeyToAccount(dev).address})`);
  return dev;
}

