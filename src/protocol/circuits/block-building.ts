// The one path from world state to circuit inputs, shared by the sequencer (which builds blocks),
// the prover node (which re-executes them), the fixtures and every test: a protocol fix made here
// reaches all of them. Functions that take a fork APPLY the effects to it, in protocol order
// (SPEC.md "Trees" precisions); the others only assemble child proofs.
import { blockHash } from '../block/block-hash.js';
import { blockOutHash, computeInHash, txsEffectsHash } from '../block/body.js';
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, StateReference, type GlobalVariables } from '../block/header.js';
import type { TxEffect } from '../block/tx-effect.js';
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
import { TreeId } from '../trees/types.js';
import { txHashOf } from '../tx.js';
import type { WorldStateFork, WorldStateReader } from '../world-state.js';
import { childProofOf, type ProofAndVk } from './child-proof.js';
import { emptyNullifierWitness, globalVariablesToCircuit, headerToCircuit, nullifierWitnessToCircuit, partialStateOf, publicDataLeafToCircuit, snapshotToCircuit } from './convert.js';
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

/** The state a tx is checked against (a committed view or a fork). */
export type TxCheckState = Pick<WorldStateReader, 'findLeafIndex' | 'readPublicData'>;

/** The fork operations block building uses. */
export type BuilderFork = TxCheckState &
  Pick<WorldStateFork, 'getStateReference' | 'getSiblingPath' | 'getSubtreeSiblingPath' | 'appendLeaves' | 'insertNullifiers' | 'readPublicDataWithWitness' | 'writePublicData'>;

/** A tx whose effects the protocol refuses on this state (a block holding it is unprovable). */
export class TxNotApplicableError extends Error {
  override name = 'TxNotApplicableError';
}

/**
 * Why a tx's effects cannot apply to `state` now, or undefined when they can: a repeated or
 * already-spent nullifier, a fee its payer cannot cover; with the tx field at fault. Reads only.
 * The sequencer's admission and block building and the prover's re-execution all ask this.
 */
export async function txConflict(state: TxCheckState, tx: TxPublicOutputs): Promise<{ field: 'nullifiers' | 'transactionFee'; reason: string } | undefined> {
  const nonZero = tx.nullifiers.filter((n) => n !== 0n);
  if (new Set(nonZero).size !== nonZero.length) return { field: 'nullifiers', reason: 'the tx repeats a nullifier' };
  for (const n of nonZero) {
    if ((await state.findLeafIndex(TreeId.NULLIFIER, n)) !== undefined) return { field: 'nullifiers', reason: `nullifier ${hex(n)} already exists (double spend)` };
  }
  if (tx.transactionFee > 0n) {
    const balance = await state.readPublicData(tx.feePayer);
    if (balance < tx.transactionFee) return { field: 'transactionFee', reason: `fee payer ${hex(tx.feePayer)} has balance ${balance}, below the fee ${tx.transactionFee}` };
  }
  return undefined;
}

/** The world-state witnesses of a tx's base circuit. */
export type TxTreeWitnesses = Omit<BaseInputs, 'tx' | 'txProof' | 'constants'>;

/**
 * Applies a tx's effects to the fork (its note hashes as one aligned subtree, its non-zero
 * nullifiers, its fee debit) and returns the witnesses of its base circuit. Throws
 * TxNotApplicableError, before writing anything, when the tx is for another chain or conflicts
 * with the state.
 */
export async function applyTx(fork: BuilderFork, tx: TxPublicOutputs, chain: Pick<GlobalVariables, 'chainId' | 'version'>): Promise<TxTreeWitnesses> {
  const label = `tx ${hex(txHashOf(tx))}`;
  if (tx.chainId !== chain.chainId || tx.version !== chain.version) {
    throw new TxNotApplicableError(`${label} is for chain ${tx.chainId} version ${tx.version}, the block is chain ${chain.chainId} version ${chain.version}`);
  }
  const conflict = await txConflict(fork, tx);
  if (conflict) throw new TxNotApplicableError(`${label}: ${conflict.reason}`);

  const ref = await fork.getStateReference();
  const start = partialStateOf(ref);
  if (ref.noteHashTree.nextAvailableLeafIndex % MAX_NOTE_HASHES_PER_TX !== 0) {
    throw new Error(`note hash tree size ${ref.noteHashTree.nextAvailableLeafIndex} is not aligned to ${MAX_NOTE_HASHES_PER_TX}`);
  }
  const noteHashSubtreePath = await fork.getSubtreeSiblingPath(TreeId.NOTE_HASH, NOTE_HASH_SUBTREE_HEIGHT);
  await fork.appendLeaves(TreeId.NOTE_HASH, padTo(tx.noteHashes, MAX_NOTE_HASHES_PER_TX));

  const nonZero = tx.nullifiers.filter((n) => n !== 0n);
  const inserted = nonZero.length > 0 ? await fork.insertNullifiers(nonZero) : [];
  let next = 0;
  const nullifierWitnesses = tx.nullifiers.map((n) => (n === 0n ? emptyNullifierWitness(NULLIFIER_TREE_HEIGHT) : nullifierWitnessToCircuit(inserted[next++]!)));

  let feePayerLeaf = { slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n };
  let feePayerLeafIndex = 0n;
  let feePayerPath = Array<bigint>(PUBLIC_DATA_TREE_HEIGHT).fill(0n);
  if (tx.transactionFee !== 0n) {
    const { value, witness } = await fork.readPublicDataWithWitness(tx.feePayer);
    if (witness.kind !== 'member') throw new Error(`${label}: fee payer ${hex(tx.feePayer)} has no balance leaf`); // txConflict saw a balance
    feePayerLeaf = publicDataLeafToCircuit(witness.leaf);
    feePayerLeafIndex = BigInt(witness.leafIndex);
    feePayerPath = [...witness.siblingPath];
    await fork.writePublicData(tx.feePayer, value - tx.transactionFee);
  }
  return { start, noteHashSubtreePath, nullifierWitnesses, feePayerLeaf, feePayerLeafIndex, feePayerPath };
}

/** Base rollup inputs of one tx; applies the tx to the fork (see applyTx). */
export async function buildBaseInputs(fork: BuilderFork, args: { tx: TxPublicOutputs; txProof: ChildProof; constants: BlockConstants }): Promise<BaseInputs> {
  const witnesses = await applyTx(fork, args.tx, args.constants.globalVariables);
  return { tx: args.tx, txProof: args.txProof, constants: args.constants, ...witnesses };
}

/** What every circuit of a block shares: the archive before it, its globals, the VK tree. */
export function blockConstants(lastArchive: AppendOnlyTreeSnapshot, globals: GlobalVariables, vkTreeRoot: bigint): BlockConstants {
  return { lastArchive: snapshotToCircuit(lastArchive), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot };
}

/** The archive sibling paths and message subtree path a block's block-root circuit needs. */
export interface BlockEndWitness {
  /** Sibling path of the previous block's archive leaf. */
  previousHeaderPath: bigint[];
  /** Sibling path of the block's L1->L2 message subtree, before it is appended. */
  l1ToL2SubtreePath: bigint[];
  /** Sibling path of the archive leaf this block's hash goes to. */
  newArchivePath: bigint[];
}

export interface FinishedBlock {
  header: BlockHeader;
  /** The archive after the block (its `archive` on L1). */
  archive: AppendOnlyTreeSnapshot;
  witness: BlockEndWitness;
}

/**
 * Closes a block on the fork once its txs are applied: appends its L1->L2 messages, builds its
 * header from the resulting state, and appends the block hash to the archive.
 */
export async function finishBlock(fork: BuilderFork, block: { txEffects: readonly TxEffect[]; l1ToL2Messages: readonly bigint[]; globals: GlobalVariables }): Promise<FinishedBlock> {
  if (block.l1ToL2Messages.length > L1_TO_L2_MSGS_PER_BLOCK) throw new RangeError(`block ${block.globals.blockNumber}: ${block.l1ToL2Messages.length} L1->L2 messages, at most ${L1_TO_L2_MSGS_PER_BLOCK}`);
  const messages = padTo(block.l1ToL2Messages, L1_TO_L2_MSGS_PER_BLOCK);
  const before = await fork.getStateReference();
  const lastArchive = AppendOnlyTreeSnapshot.of(before.archive);
  if (lastArchive.nextAvailableLeafIndex !== block.globals.blockNumber) {
    throw new Error(`the world state holds ${lastArchive.nextAvailableLeafIndex} archive leaves, block ${block.globals.blockNumber} needs ${block.globals.blockNumber}`);
  }
  const last = before.archive.nextAvailableLeafIndex - 1;
  const previousHeaderPath = await fork.getSiblingPath(TreeId.ARCHIVE, last);
  const l1ToL2SubtreePath = await fork.getSubtreeSiblingPath(TreeId.L1_TO_L2_MESSAGES, L1_TO_L2_MSG_SUBTREE_HEIGHT);
  await fork.appendLeaves(TreeId.L1_TO_L2_MESSAGES, messages);
  const newArchivePath = await fork.getSiblingPath(TreeId.ARCHIVE, last + 1);

  const effects = block.txEffects;
  const header = new BlockHeader(
    lastArchive,
    new ContentCommitment(BigInt(effects.length), txsEffectsHash(effects), computeInHash(messages), blockOutHash(effects)),
    StateReference.of(await fork.getStateReference()),
    block.globals,
    effects.reduce((sum, e) => sum + e.transactionFee, 0n),
  );
  await fork.appendLeaves(TreeId.ARCHIVE, [blockHash(header)]);
  const archive = AppendOnlyTreeSnapshot.of((await fork.getStateReference()).archive);
  return { header, archive, witness: { previousHeaderPath, l1ToL2SubtreePath, newArchivePath } };
}

/** The parity-base inputs of a block's L1->L2 messages (0-padded to L1_TO_L2_MSGS_PER_BLOCK). */
export function buildParityBaseInputs(messages: readonly bigint[], vkTreeRoot: bigint): ParityBaseInputs[] {
  const all = padTo(messages, L1_TO_L2_MSGS_PER_BLOCK);
  const out: ParityBaseInputs[] = [];
  for (let i = 0; i < L1_TO_L2_MSGS_PER_BLOCK; i += L1_TO_L2_MSGS_PER_PARITY_BASE) out.push({ msgs: all.slice(i, i + L1_TO_L2_MSGS_PER_PARITY_BASE), vkTreeRoot });
  return out;
}

/** Inputs of the circuits that verify two children of the same kind (parity-root, merge, block-merge). */
function pairInputs<T>(left: ChildResult<T>, right: ChildResult<T>, vkTree: VkTree) {
  return { left: left.publicOutputs, leftProof: childProofOf(left, vkTree), right: right.publicOutputs, rightProof: childProofOf(right, vkTree) };
}

export function buildParityRootInputs(left: ChildResult<ParityOutputs>, right: ChildResult<ParityOutputs>, vkTree: VkTree): ParityRootInputs {
  return pairInputs(left, right, vkTree);
}

export function buildMergeInputs(left: ChildResult<TxRollupOutputs>, right: ChildResult<TxRollupOutputs>, vkTree: VkTree): MergeInputs {
  return pairInputs(left, right, vkTree);
}

interface BlockRootArgs {
  parity: ChildResult<ParityOutputs>;
  /** The header of the block before (genesis for block 1). */
  previousHeader: BlockHeader;
  witness: BlockEndWitness;
  vkTree: VkTree;
}

function blockRootCommon(a: BlockRootArgs) {
  return { parity: a.parity.publicOutputs, parityProof: childProofOf(a.parity, a.vkTree), previousHeader: headerToCircuit(a.previousHeader), ...a.witness };
}

export function buildBlockRootInputs(args: BlockRootArgs & { txs: ChildResult<TxRollupOutputs> }): BlockRootInputs {
  return { txs: args.txs.publicOutputs, txsProof: childProofOf(args.txs, args.vkTree), ...blockRootCommon(args) };
}

/** Block-root-empty inputs: a block without txs. */
export function buildBlockRootEmptyInputs(args: BlockRootArgs & { constants: BlockConstants }): BlockRootEmptyInputs {
  return { constants: args.constants, ...blockRootCommon(args) };
}

export function buildBlockMergeInputs(left: ChildResult<BlockRollupOutputs>, right: ChildResult<BlockRollupOutputs>, vkTree: VkTree): BlockMergeInputs {
  return pairInputs(left, right, vkTree);
}

export function buildRootInputs(left: ChildResult<BlockRollupOutputs>, right: ChildResult<BlockRollupOutputs>, proverId: bigint, vkTree: VkTree): RootInputs {
  return { ...pairInputs(left, right, vkTree), proverId };
}

export function buildRootSingleInputs(blocks: ChildResult<BlockRollupOutputs>, proverId: bigint, vkTree: VkTree): RootSingleInputs {
  return { blocks: blocks.publicOutputs, blocksProof: childProofOf(blocks, vkTree), proverId };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
