import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import type { Logger } from '@quetzal/kernel/logging';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import type { Hex } from 'viem';

/** The configured L1 key, or anvil's dev key `devIndex` on the anvil chain; otherwise an error naming the flag. */
export function l1KeyOrDevKey(key: string | undefined, flag: string, devIndex: number, l1: L1Connection, log: Logger): Hex {
  if (key) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`${flag} must be 32 bytes of 0x-prefixed hex`);
    return key as Hex;
  }
  if (!l1.isDevChain) throw new Error(`no L1 key: pass ${flag} (chain ${l1.chainId} is not anvil, so no dev key is used)`);
  log.info({ devAccount: devIndex }, `no ${flag} given: using anvil's dev account`);
  return ANVIL_DEFAULT_PRIVATE_KEYS[devIndex]!;
}
