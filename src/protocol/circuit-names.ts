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
] as const;

export type CircuitName = (typeof CIRCUIT_NAMES)[number];

export function vkIndexOf(name: CircuitName): number {
  return CIRCUIT_NAMES.indexOf(name);
}
