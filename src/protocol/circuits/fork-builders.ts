// Input builders over a WorldStateFork (the world state's async, copy-on-write view): what the
// orchestrator calls while it re-executes an epoch's txs. They APPLY the effects to the fork, in
// protocol order (SPEC.md "Trees" precisions), exactly as the synchronous builders in
// builders.ts do on reference trees (a test checks the two agree).
import type { BlockHeader } from '../block/header.js';
import { blockHash } from '../block/block-hash.js';
import {
  L1_TO_L2_MSG_SUBTREE_HEIGHT,
  L1_TO_L2_MSGS_PER_BLOCK,
  MAX_NOTE_HASHES_PER_TX,
  NOTE_HASH_SUBTREE_HEIGHT,
  NULLIFIER_TREE_HEIGHT,
  PUBLIC_DATA_TREE_HEIGHT,
} from '../constants.js';
import { padTo } from '../hash/sha256.js';
import { TreeId } from '../trees/types.js';
import type { WorldStateFork } from '../world-state.js';
import type { ChildResult } from './builders.js';
import { childProofOf } from './child-proof.js';
import { emptyNullifierWitness, headerToCircuit, nullifierWitnessToCircuit, publicDataLeafToCircuit, snapshotToCircuit } from './convert.js';
import type {
  BaseInputs,
  BlockConstants,
  BlockRootEmptyInputs,
  BlockRootInputs,
  ChildProof,
  ParityOutputs,
  PartialStateReference,
  TxPublicOutputs,
  TxRollupOutputs,
} from './structs.js';
import type { VkTree } from './vk-tree.js';

/** The fork operations the builders use. */
export type BuilderFork = Pick<
  WorldStateFork,
  'getStateReference' | 'getSiblingPath' | 'getSubtreeSiblingPath' | 'appendLeaves' | 'insertNullifiers' | 'readPublicDataWithWitness' | 'writePublicData'
>;

export async function partialStateOfFork(fork: Pick<WorldStateFork, 'getStateReference'>): Promise<PartialStateReference> {
  const ref = await fork.getStateReference();
  return {
    noteHashTree: snapshotToCircuit(ref.noteHashTree),
    nullifierTree: snapshotToCircuit(ref.nullifierTree),
    publicDataTree: snapshotToCircuit(ref.publicDataTree),
  };
}

/**
 * Base rollup inputs for one tx; applies the tx's effects to the fork. Throws, leaving the fork
 * unchanged, when the tx cannot be applied (a duplicate nullifier, a fee payer without enough
 * balance).
 */
export async function buildBaseInputsFromFork(
  fork: BuilderFork,
  args: { tx: TxPublicOutputs; txProof: ChildProof; constants: BlockConstants },
): Promise<BaseInputs> {
  const { tx } = args;
  // checks that need no write come first, so a refused tx leaves the fork untouched (nullifier
  // insertion refuses all or nothing)
  const fee = tx.transactionFee === 0n ? undefined : await fork.readPublicDataWithWitness(tx.feePayer);
  if (fee && fee.witness.kind !== 'member') throw new Error(`fee payer ${tx.feePayer} has no balance`);
  if (fee && fee.value < tx.transactionFee) throw new Error(`fee payer balance ${fee.value} is below the fee ${tx.transactionFee}`);
  const start = await partialStateOfFork(fork);
  if (start.noteHashTree.nextAvailableLeafIndex % BigInt(MAX_NOTE_HASHES_PER_TX) !== 0n) {
    throw new Error(`note hash tree size ${start.noteHashTree.nextAvailableLeafIndex} is not aligned to ${MAX_NOTE_HASHES_PER_TX}`);
  }
  const noteHashSubtreePath = await fork.getSubtreeSiblingPath(TreeId.NOTE_HASH, NOTE_HASH_SUBTREE_HEIGHT);

  const nonZero = tx.nullifiers.filter((n) => n !== 0n);
  const inserted = nonZero.length > 0 ? await fork.insertNullifiers(nonZero) : [];
  let k = 0;
  const nullifierWitnesses = tx.nullifiers.map((n) =>
    n === 0n ? emptyNullifierWitness(NULLIFIER_TREE_HEIGHT) : nullifierWitnessToCircuit(inserted[k++]!),
  );
  await fork.appendLeaves(TreeId.NOTE_HASH, padTo(tx.noteHashes, MAX_NOTE_HASHES_PER_TX));

  let feePayerLeaf = { slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n };
  let feePayerLeafIndex = 0n;
  let feePayerPath = Array<bigint>(PUBLIC_DATA_TREE_HEIGHT).fill(0n);
  if (fee && fee.witness.kind === 'member') {
    feePayerLeaf = publicDataLeafToCircuit(fee.witness.leaf);
    feePayerLeafIndex = BigInt(fee.witness.leafIndex);
    feePayerPath = [...fee.witness.siblingPath];
    await fork.writePublicData(tx.feePayer, fee.value - tx.transactionFee);
  }

  return { tx, txProof: args.txProof, constants: args.constants, start, noteHashSubtreePath, nullifierWitnesses, feePayerLeaf, feePayerLeafIndex, feePayerPath };
}

async function blockLevel(fork: BuilderFork, l1ToL2Messages: readonly bigint[]) {
  const ref = await fork.getStateReference();
  const archiveSize = ref.archive.nextAvailableLeafIndex;
  if (archiveSize < 1) throw new Error('the archive is empty (no genesis block)');
  const l1ToL2SubtreePath = await fork.getSubtreeSiblingPath(TreeId.L1_TO_L2_MESSAGES, L1_TO_L2_MSG_SUBTREE_HEIGHT);
  await fork.appendLeaves(TreeId.L1_TO_L2_MESSAGES, padTo(l1ToL2Messages, L1_TO_L2_MSGS_PER_BLOCK));
  return {
    previousHeaderPath: await fork.getSiblingPath(TreeId.ARCHIVE, archiveSize - 1),
    l1ToL2SubtreePath,
    newArchivePath: await fork.getSiblingPath(TreeId.ARCHIVE, archiveSize),
  };
}

/**
 * Block-root inputs; appends the block's L1->L2 messages to the fork (then append the block hash
 * with `appendBlockHashToFork` once the header is known).
 */
export async function buildBlockRootInputsFromFork(
  fork: BuilderFork,
  args: { txs: ChildResult<TxRollupOutputs>; parity: ChildResult<ParityOutputs>; previousHeader: BlockHeader; l1ToL2Messages: readonly bigint[]; vkTree: VkTree },
): Promise<BlockRootInputs> {
  const paths = await blockLevel(fork, args.l1ToL2Messages);
  return {
    txs: args.txs.publicOutputs,
    txsProof: childProofOf(args.txs, args.vkTree),
    parity: args.parity.publicOutputs,
    parityProof: childProofOf(args.parity, args.vkTree),
    previousHeader: headerToCircuit(args.previousHeader),
    ...paths,
  };
}

/** Block-root-empty inputs (a block with no txs); appends the block's L1->L2 messages to the fork. */
export async function buildBlockRootEmptyInputsFromFork(
  fork: BuilderFork,
  args: { constants: BlockConstants; parity: ChildResult<ParityOutputs>; previousHeader: BlockHeader; l1ToL2Messages: readonly bigint[]; vkTree: VkTree },
): Promise<BlockRootEmptyInputs> {
  const paths = await blockLevel(fork, args.l1ToL2Messages);
  return {
    constants: args.constants,
    parity: args.parity.publicOutputs,
    parityProof: childProofOf(args.parity, args.vkTree),
    previousHeader: headerToCircuit(args.previousHeader),
    ...paths,
  };
}

export async function appendBlockHashToFork(fork: Pick<WorldStateFork, 'appendLeaves'>, header: BlockHeader): Promise<void> {
  await fork.appendLeaves(TreeId.ARCHIVE, [blockHash(header)]);
}
