import { poseidon2Hash } from '../hash/poseidon2.js';
import type { NullifierLeaf, PublicDataLeaf, SiblingPath } from './types.js';

/** Node hash: `poseidon2([left, right])`. */
export function hashNode(left: bigint, right: bigint): bigint {
  return poseidon2Hash([left, right]);
}

const zeroCache: bigint[] = [0n];

/** `zero[0] = 0`, `zero[i+1] = poseidon2([zero[i], zero[i]])`: root of an empty subtree of height i. */
export function zeroHash(height: number): bigint {
  while (zeroCache.length <= height) {
    const z = zeroCache[zeroCache.length - 1];
    zeroCache.push(hashNode(z, z));
  }
  return zeroCache[height];
}

/** Zero hashes for heights 0..height (inclusive). */
export function zeroHashes(height: number): bigint[] {
  zeroHash(height);
  return zeroCache.slice(0, height + 1);
}

/**
 * Nullifier leaf hash `poseidon2([value, nextIndex, nextValue])`. The initial leaf (all zeros) is a
 * real leaf and hashes like any other; only an empty slot (no leaf) is 0.
 */
export function hashNullifierLeaf(l: NullifierLeaf): bigint {
  return poseidon2Hash([l.value, l.nextIndex, l.nextValue]);
}

/** Public data leaf hash `poseidon2([slot, value, nextIndex, nextSlot])`. */
export function hashPublicDataLeaf(l: PublicDataLeaf): bigint {
  return poseidon2Hash([l.slot, l.value, l.nextIndex, l.nextSlot]);
}

/** Root from a leaf hash, its index and its sibling path (what the circuits compute). */
export function computeRootFromPath(leafHash: bigint, index: number, path: SiblingPath): bigint {
  let node = leafHash;
  let i = index;
  for (const sibling of path) {
    node = i % 2 === 0 ? hashNode(node, sibling) : hashNode(sibling, node);
    i = Math.floor(i / 2);
  }
  if (i !== 0) throw new RangeError(`leaf index ${index} does not fit a tree of height ${path.length}`);
  return node;
}
