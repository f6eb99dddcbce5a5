import { TreeId } from '@quetzal/protocol/trees/types';
import type { BlockTreeEffects } from '@quetzal/protocol/world-state';
import type { TreeHeights } from '@quetzal/world-state';

export const KILL_HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: 16,
  [TreeId.NOTE_HASH]: 24,
  [TreeId.NULLIFIER]: 24,
  [TreeId.PUBLIC_DATA]: 16,
  [TreeId.ARCHIVE]: 16,
};

/** Deterministic effects of block n: ~2000 note hashes, 400 nullifiers, 20 public writes. */
export function killEffects(n: number): BlockTreeEffects {
  const b = BigInt(n);
  const x = (i: number) => ((b * 1_000_003n + BigInt(i)) * 0x9e3779b97f4a7c15n) % (1n << 200n) + 1n;
  return {
    blockNumber: n,
    noteHashes: Array.from({ length: 2000 }, (_, i) => x(i)),
    nullifiers: Array.from({ length: 400 }, (_, i) => x(10_000 + i)),
    publicDataWrites: Array.from({ length: 20 }, (_, i) => ({ slot: BigInt(1 + i * 3 + (n % 5)), value: b })),
    l1ToL2Messages: Array.from({ length: 16 }, (_, i) => x(20_000 + i)),
    blockHash: x(30_000),
  };
}
