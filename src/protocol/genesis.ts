// The L2 genesis state every world state of a network starts from: fee-payer balances written to
// the public data tree in order (SPEC.md "Trees", Genesis). Its archive root is written into the
// Rollup at deploy, so every process of a network must use the same list.
import { feePayerOf } from './tx.js';

export interface L2Genesis {
  /** Public data writes at genesis (fee-payer balances), in order. */
  publicData: { slot: bigint; value: bigint }[];
}

/** Secrets of the local network's dev fee payers (public knowledge, like anvil's keys: never use them elsewhere). */
export function devAccountSecret(index: number): bigint {
  return 0x5eed_0000n + BigInt(index) + 1n;
}

/** The local network's genesis: `accounts` dev fee payers with `balance` each. */
export function devGenesis(accounts = 4, balance = 10n ** 30n): L2Genesis {
  return { publicData: Array.from({ length: accounts }, (_, i) => ({ slot: feePayerOf(devAccountSecret(i)), value: balance })) };
}

export function genesisToJson(g: L2Genesis): { publicData: { slot: string; value: string }[] } {
  return { publicData: g.publicData.map((w) => ({ slot: w.slot.toString(), value: w.value.toString() })) };
}

export function genesisFromJson(j: unknown, source = 'genesis'): L2Genesis {
  const list = (j as { publicData?: unknown })?.publicData;
  if (!Array.isArray(list)) throw new Error(`${source}: expected {"publicData": [{"slot": "...", "value": "..."}]}`);
  return {
    publicData: list.map((w, i) => {
      try {
        return { slot: BigInt((w as { slot: string }).slot), value: BigInt((w as { value: string }).value) };
      } catch {
        throw new Error(`${source}: publicData[${i}] needs integer "slot" and "value"`);
      }
    }),
  };
}
