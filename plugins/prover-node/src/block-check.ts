// Compares what the prover node rebuilds with what the archiver serves, naming the first field
// that differs: a mismatch means our world state or the archiver's block is wrong, and proving
// would only fail later, inside a circuit, with a less helpful message.
import type { BlockHeader } from '@quetzal/protocol/block/header';
import { headerToCircuit } from '@quetzal/protocol/circuits/convert';

export class BlockMismatchError extends Error {
  override name = 'BlockMismatchError';
  constructor(
    readonly blockNumber: number,
    readonly field: string,
    readonly rebuilt: bigint,
    readonly archived: bigint,
  ) {
    super(`block ${blockNumber}: the rebuilt ${field} is ${hex(rebuilt)}, the archiver's block has ${hex(archived)}`);
  }
}

/** Throws BlockMismatchError at the first header field (e.g. `state.noteHashTree.root`) that differs. */
export function assertSameHeader(blockNumber: number, rebuilt: BlockHeader, archived: BlockHeader): void {
  const diff = firstDifference(headerToCircuit(rebuilt), headerToCircuit(archived), 'header');
  if (diff) throw new BlockMismatchError(blockNumber, diff.path, diff.a, diff.b);
}

function firstDifference(a: unknown, b: unknown, path: string): { path: string; a: bigint; b: bigint } | undefined {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a === b ? undefined : { path, a: a as bigint, b: b as bigint };
  for (const key of Object.keys(a as object)) {
    const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (d) return d;
  }
  return undefined;
}

export const hex = (v: bigint) => `0x${v.toString(16)}`;
