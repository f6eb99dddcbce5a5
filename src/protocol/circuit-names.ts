/**
 * The protocol circuits, in VK-tree index order. The broker's job types are these names (except
 * `tx`, which senders prove on their own machines).
 */
export const CIRCUIT_NAMES = [
  'tx',
  'parity-base',
  'parity-root',
  'base',
  'merge',
  'block-root',
  'block-merge',
  'root',
  // Padding / single-child variants (appended, so the indices above are unchanged):
  // `root-single` is the root over ONE block-level proof (an epoch of one block, or one whose
  // blocks all sit under a single block-merge); `root` takes two.
  'root-single',
  // `block-root-empty`: the block root of a block with no txs (only its L1->L2 messages).
  'block-root-empty',
] as const;

export type CircuitName = (typeof CIRCUIT_NAMES)[number];

export function vkIndexOf(name: CircuitName): number {
  return CIRCUIT_NAMES.indexOf(name);
}
