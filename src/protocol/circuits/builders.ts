// Input builders: from trees (the protocol's tree interfaces: in-memory reference or a world-state
// fork exposing the same synchronous API) and child results to each circuit's inputs. They APPLY
// the effects to the trees as they go, in protocol order (SPEC.md "Trees" precisions).
import type { BlockHeader } from '../block/header.js';
import { blockHash } from '../block/block-hash.js';
import {
  L1_TO_L2_MSG_SUBTREE_HEIGHT,
  L1_TO_L2_MSGS_PER_BLOCK,
  L1_TO_L2_MSGS_PER_PARITY_BASE,
  MAX_NOTE_HASHES_PER_TX,
  NOTE_HASH_SUBTREE_HEIGHT,
  NULLIFIER_TREE_HEIGHT,
  PUBLIC_DATA_TREE_HEIGHT,
} from '../constants.js';
import { padTo } from '../hash/sha256.js';
import type { AppendOnlyTree, NullifierTree, PublicDataTree } from '../trees/types.js';
import { childProofOf, type ProofAndVk } from './child-proof.js';
import { emptyNullifierWitness, headerToCircuit, nullifierWitnessToCircuit, publicDataLeafToCircuit, snapshotToCircuit } from './convert.js';
import type {
  BaseInputs,
  BlockConstants,
  BlockMergeInputs,
  BlockRollupOutputs,
  BlockRootEmptyInputs,
  BlockRootInputs,
  ChildProof,
  MergeInputs,
  ParityBaseInputs,
  ParityOutputs,
  ParityRootInputs,
  PartialStateReference,
  RootInputs,
  RootSingleInputs,
  TxPublicOutputs,
  TxRollupOutputs,
} from './structs.js';
import type { VkTree } from './vk-tree.js';

/** A child result: what the prover returned for it (a CircuitProofResult is one). */
export interface ChildResult<T> extends ProofAndVk {
  publicOutputs: T;
}

export interface TxTrees {
  noteHash: AppendOnlyTree;
  nullifier: NullifierTree;
  publicData: PublicDataTree;
}

export function partialStateOfTrees(t: TxTrees): PartialStateReference {
  return {
    noteHashTree: snapshotToCircuit(t.noteHash.snapshot()),
    nullifierTree: snapshotToCircuit(t.nullifier.snapshot()),
    publicDataTree: snapshotToCircuit(t.publicData.snapshot()),
  };
}

/**
 * Base rollup inputs for one tx; applies the tx's effects to `trees`. Throws (before changing
 * anything but the trees already touched) when the tx cannot be applied: a duplicate nullifier,
 * a fee payer without enough balance.
 */
export function buildBaseInputs(args: {
  tx: TxPublicOutputs;
  txProof: ChildProof;
  constants: BlockConstants;
  trees: TxTrees;
}): BaseInputs {
  const { tx, trees } = args;
  const start = partialStateOfTrees(trees);

  const next = trees.noteHash.size();
  if (next % MAX_NOTE_HASHES_PER_TX !== 0) throw new Error(`note hash tree size ${next} is not aligned to ${MAX_NOTE_HASHES_PER_TX}`);
  const noteHashSubtreePath = trees.noteHash.getSiblingPath(next).slice(NOTE_HASH_SUBTREE_HEIGHT);
  trees.noteHash.appendLeaves(padTo(tx.noteHashes, MAX_NOTE_HASHES_PER_TX));

  const nullifierWitnesses = tx.nullifiers.map((n) =>
    n === 0n ? emptyNullifierWitness(NULLIFIER_TREE_HEIGHT) : nullifierWitnessToCircuit(trees.nullifier.insert(n)),
  );

  let feePayerLeaf = { slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n };
  let feePayerLeafIndex = 0n;
  let feePayerPath = Array<bigint>(PUBLIC_DATA_TREE_HEIGHT).fill(0n);
  if (tx.transactionFee !== 0n) {
    const { value, witness } = trees.publicData.readWithWitness(tx.feePayer);
    if (witness.kind !== 'member') throw new Error(`fee payer ${tx.feePayer} has no balance`);
    if (value < tx.transactionFee) throw new Error(`fee payer balance ${value} is below the fee ${tx.transactionFee}`);
    feePayerLeaf = publicDataLeafToCircuit(witness.leaf);
    feePayerLeafIndex = BigInt(witness.leafIndex);
    feePayerPath = [...witness.siblingPath];
    trees.publicData.write(tx.feePayer, value - tx.transactionFee);
  }

  return {
    tx,
    txProof: args.txProof,
    constants: args.constants,
    start,
    noteHashSubtreePath,
    nullifierWitnesses,
    feePayerLeaf,
    feePayerLeafIndex,
    feePayerPath,
  };
}

export function buildMergeInputs(left: ChildResult<TxRollupOutputs>, right: ChildResult<TxRollupOutputs>, vkTree: VkTree): MergeInputs {
  return { left: left.publicOutputs, leftProof: childProofOf(left, vkTree), right: right.publicOutputs, rightProof: childProofOf(right, vkTree) };
}

/** The parity-base inputs of a block's L1->L2 messages (0-padded to L1_TO_L2_MSGS_PER_BLOCK). */
export function buildParityBaseInputs(messages: readonly bigint[], vkTreeRoot: bigint): ParityBaseInputs[] {
  const all = padTo(messages, L1_TO_L2_MSGS_PER_BLOCK);
  const out: ParityBaseInputs[] = [];
  for (let i = 0; i < L1_TO_L2_MSGS_PER_BLOCK; i += L1_TO_L2_MSGS_PER_PARITY_BASE) {
    out.push({ msgs: all.slice(i, i + L1_TO_L2_MSGS_PER_PARITY_BASE), vkTreeRoot });
  }
  return out;
}

export function buildParityRootInputs(left: ChildResult<ParityOutputs>, right: ChildResult<ParityOutputs>, vkTree: VkTree): ParityRootInputs {
  return { left: left.publicOutputs, leftProof: childProofOf(left, vkTree), right: right.publicOutputs, rightProof: childProofOf(right, vkTree) };
}

interface BlockRootTreeArgs {
  parity: ChildResult<ParityOutputs>;
  previousHeader: BlockHeader;
  archive: AppendOnlyTree;
  l1ToL2: AppendOnlyTree;
  l1ToL2Messages: readonly bigint[];
  vkTree: VkTree;
}

/** What both block-root variants take: the parity child, the archive paths and the message subtree path; appends the messages to `l1ToL2`. */
function blockRootCommonInputs(args: BlockRootTreeArgs) {
  const { archive, l1ToL2 } = args;
  const last = archive.size() - 1;
  if (last < 0) throw new Error('the archive is empty (no genesis block)');
  const l1ToL2SubtreePath = l1ToL2.getSiblingPath(l1ToL2.size()).slice(L1_TO_L2_MSG_SUBTREE_HEIGHT);
  l1ToL2.appendLeaves(padTo(args.l1ToL2Messages, L1_TO_L2_MSGS_PER_BLOCK));
  return {
    parity: args.parity.publicOutputs,
    parityProof: childProofOf(args.parity, args.vkTree),
    previousHeader: headerToCircuit(args.previousHeader),
    previousHeaderPath: archive.getSiblingPath(last),
    l1ToL2SubtreePath,
    newArchivePath: archive.getSiblingPath(archive.size()),
  };
}

/**
 * Block-root inputs; appends the block's messages to `l1ToL2` (the caller appends the block hash
 * to `archive` once it knows the header: `appendBlockHash`).
 */
export function buildBlockRootInputs(args: BlockRootTreeArgs & { txs: ChildResult<TxRollupOutputs> }): BlockRootInputs {
  return { txs: args.txs.publicOutputs, txsProof: childProofOf(args.txs, args.vkTree), ...blockRootCommonInputs(args) };
}

/**
 * Block-root-empty inputs (a block with no txs); appends the block's messages to `l1ToL2`.
 */
export function buildBlockRootEmptyInputs(args: BlockRootTreeArgs & { constants: BlockConstants }): BlockRootEmptyInputs {
  return { constants: args.constants, ...blockRootCommonInputs(args) };
}

/** Appends a block's hash (poseidon2 of its header) to the archive. */
export function appendBlockHash(archive: AppendOnlyTree, header: BlockHeader): void {
  archive.appendLeaves([blockHash(header)]);
}

export function buildBlockMergeInputs(left: ChildResult<BlockRollupOutputs>, right: ChildResult<BlockRollupOutputs>, vkTree: VkTree): BlockMergeInputs {
  return { left: left.publicOutputs, leftProof: childProofOf(left, vkTree), right: right.publicOutputs, rightProof: childProofOf(right, vkTree) };
}

export function buildRootInputs(left: ChildResult<BlockRollupOutputs>, right: ChildResult<BlockRollupOutputs>, proverId: bigint, vkTree: VkTree): RootInputs {
  return { ...buildBlockMergeInputs(left, right, vkTree), proverId };
}

export function buildRootSingleInputs(blocks: ChildResult<BlockRollupOutputs>, proverId: bigint, vkTree: VkTree): RootSingleInputs {
  return { blocks: blocks.publicOutputs, blocksProof: childProofOf(blocks, vkTree), proverId };
}
