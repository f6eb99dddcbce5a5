// Why a block of the pending chain cannot be proven, named precisely: a bid on its epoch is
// declined with the reason, and a proving job fails with the message. A rebuilt block is compared
// with what the archiver serves (the block on L1) field by field: a mismatch means the proposer's
// block or our world state is wrong, and proving would only fail later, inside a circuit, with a
// less helpful message.
import type { BlockHeader } from '@quetzal/protocol/block/header';
import { headerToCircuit } from '@quetzal/protocol/circuits/convert';

/** Why a block cannot be proven (the label of a declined bid). */
export type BlockRejection = 'block-invalid' | 'tx-unavailable' | 'tx-mismatch' | 'tx-proof-invalid' | 'tx-not-applicable' | 'block-mismatch';

export class BlockRejectedError extends Error {
  override name = 'BlockRejectedError';
  constructor(
    readonly blockNumber: number,
    readonly reason: BlockRejection,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class BlockMismatchError extends BlockRejectedError {
  override name = 'BlockMismatchError';
  constructor(
    blockNumber: number,
    readonly field: string,
    readonly rebuilt: bigint,
    readonly archived: bigint,
  ) {
    super(blockNumber, 'block-mismatch', `block ${blockNumber}: the rebuilt ${field} is ${hex(rebuilt)}, the archiver's block has ${hex(archived)}`);
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
