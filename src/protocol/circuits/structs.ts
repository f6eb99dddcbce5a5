// The circuits' inputs and public outputs: one schema per Noir struct (circuits/lib/src/structs.nr,
// merkle.nr) and per circuit `main`. Types are derived from the schemas.
import {
  ARCHIVE_TREE_HEIGHT,
  L1_TO_L2_MSG_SUBTREE_SIBLING_PATH_LENGTH,
  L1_TO_L2_MSGS_PER_PARITY_BASE,
  MAX_BLOCKS_PER_EPOCH,
  MAX_L2_TO_L1_MSGS_PER_TX,
  MAX_NOTE_HASHES_PER_TX,
  MAX_NULLIFIERS_PER_TX,
  NOTE_HASH_SUBTREE_SIBLING_PATH_LENGTH,
  NULLIFIER_TREE_HEIGHT,
  PROOF_LENGTH,
  PUBLIC_DATA_TREE_HEIGHT,
  VK_LENGTH,
  VK_TREE_HEIGHT,
} from '../constants.js';
import type { CircuitName } from '../circuit-names.js';
import { array, field, struct, type Schema, type Value } from './abi.js';

export const SnapshotSchema = struct({ root: field, nextAvailableLeafIndex: field });
export const GlobalVariablesSchema = struct({
  chainId: field,
  version: field,
  blockNumber: field,
  slotNumber: field,
  timestamp: field,
  coinbase: field,
});
export const ContentCommitmentSchema = struct({ numTxs: field, txsEffectsHash: field, inHash: field, outHash: field });
export const PartialStateReferenceSchema = struct({
  noteHashTree: SnapshotSchema,
  nullifierTree: SnapshotSchema,
  publicDataTree: SnapshotSchema,
});
export const StateReferenceSchema = struct({
  l1ToL2MessageTree: SnapshotSchema,
  noteHashTree: SnapshotSchema,
  nullifierTree: SnapshotSchema,
  publicDataTree: SnapshotSchema,
});
export const BlockHeaderSchema = struct({
  lastArchive: SnapshotSchema,
  contentCommitment: ContentCommitmentSchema,
  state: StateReferenceSchema,
  globalVariables: GlobalVariablesSchema,
  totalFees: field,
});
export const NullifierLeafSchema = struct({ value: field, nextIndex: field, nextValue: field });
export const PublicDataLeafSchema = struct({ slot: field, value: field, nextIndex: field, nextSlot: field });
export const NullifierInsertionWitnessSchema = struct({
  lowLeaf: NullifierLeafSchema,
  lowLeafIndex: field,
  lowLeafPath: array(field, NULLIFIER_TREE_HEIGHT),
  newLeafPath: array(field, NULLIFIER_TREE_HEIGHT),
});

/** The `tx` circuit's public outputs (txHash = poseidon2(flattened)). */
export const TxPublicOutputsSchema = struct({
  chainId: field,
  version: field,
  transactionFee: field,
  feePayer: field,
  noteHashes: array(field, MAX_NOTE_HASHES_PER_TX),
  nullifiers: array(field, MAX_NULLIFIERS_PER_TX),
  l2ToL1Msgs: array(field, MAX_L2_TO_L1_MSGS_PER_TX),
});
export const ParityOutputsSchema = struct({ shaRoot: field, convertedRoot: field, vkTreeRoot: field });
export const BlockConstantsSchema = struct({
  lastArchive: SnapshotSchema,
  globalVariables: GlobalVariablesSchema,
  vkTreeRoot: field,
});
/** base / merge public outputs. */
export const TxRollupOutputsSchema = struct({
  constants: BlockConstantsSchema,
  numTxs: field,
  start: PartialStateReferenceSchema,
  end: PartialStateReferenceSchema,
  txsEffectsHash: field,
  outHash: field,
  accumulatedFees: field,
});
export const FeeRecipientSchema = struct({ recipient: field, value: field });
/** block-root / block-merge public outputs. */
export const BlockRollupOutputsSchema = struct({
  previousArchive: SnapshotSchema,
  newArchive: SnapshotSchema,
  headerHashes: array(field, MAX_BLOCKS_PER_EPOCH),
  fees: array(FeeRecipientSchema, MAX_BLOCKS_PER_EPOCH),
  outHashes: array(field, MAX_BLOCKS_PER_EPOCH),
  numBlocks: field,
  totalFees: field,
  vkTreeRoot: field,
  chainId: field,
  version: field,
});
/** root / root-single public outputs: the epoch's public inputs on L1 (SPEC.md). */
export const RootOutputsSchema = struct({
  previousArchiveRoot: field,
  endArchiveRoot: field,
  headerHashes: array(field, MAX_BLOCKS_PER_EPOCH),
  fees: array(FeeRecipientSchema, MAX_BLOCKS_PER_EPOCH),
  outHash: field,
  vkTreeRoot: field,
  proverId: field,
  chainId: field,
  version: field,
});
/** A child proof as a parent circuit takes it. */
export const ChildProofSchema = struct({
  proof: array(field, PROOF_LENGTH),
  vk: array(field, VK_LENGTH),
  vkHash: field,
  vkIndex: field,
  vkPath: array(field, VK_TREE_HEIGHT),
});

export type Snapshot = Value<typeof SnapshotSchema>;
export type CircuitGlobalVariables = Value<typeof GlobalVariablesSchema>;
export type PartialStateReference = Value<typeof PartialStateReferenceSchema>;
export type CircuitStateReference = Value<typeof StateReferenceSchema>;
export type CircuitBlockHeader = Value<typeof BlockHeaderSchema>;
export type CircuitNullifierLeaf = Value<typeof NullifierLeafSchema>;
export type CircuitPublicDataLeaf = Value<typeof PublicDataLeafSchema>;
export type CircuitNullifierInsertionWitness = Value<typeof NullifierInsertionWitnessSchema>;
export type TxPublicOutputs = Value<typeof TxPublicOutputsSchema>;
export type ParityOutputs = Value<typeof ParityOutputsSchema>;
export type BlockConstants = Value<typeof BlockConstantsSchema>;
export type TxRollupOutputs = Value<typeof TxRollupOutputsSchema>;
export type BlockRollupOutputs = Value<typeof BlockRollupOutputsSchema>;
export type RootOutputs = Value<typeof RootOutputsSchema>;
export type ChildProof = Value<typeof ChildProofSchema>;

// ---- circuit inputs (the parameters of each `main`) ----

export const L2ToL1MessageSchema = struct({ recipient: field, content: field });
export const TxCircuitInputsSchema = struct({
  secret: field,
  nonce: field,
  innerNullifiers: array(field, MAX_NULLIFIERS_PER_TX),
  l2ToL1Msgs: array(L2ToL1MessageSchema, MAX_L2_TO_L1_MSGS_PER_TX),
  effects: TxPublicOutputsSchema,
});
export const ParityBaseInputsSchema = struct({ msgs: array(field, L1_TO_L2_MSGS_PER_PARITY_BASE), vkTreeRoot: field });
export const ParityRootInputsSchema = struct({
  left: ParityOutputsSchema,
  leftProof: ChildProofSchema,
  right: ParityOutputsSchema,
  rightProof: ChildProofSchema,
});
export const BaseInputsSchema = struct({
  tx: TxPublicOutputsSchema,
  txProof: ChildProofSchema,
  constants: BlockConstantsSchema,
  start: PartialStateReferenceSchema,
  noteHashSubtreePath: array(field, NOTE_HASH_SUBTREE_SIBLING_PATH_LENGTH),
  nullifierWitnesses: array(NullifierInsertionWitnessSchema, MAX_NULLIFIERS_PER_TX),
  feePayerLeaf: PublicDataLeafSchema,
  feePayerLeafIndex: field,
  feePayerPath: array(field, PUBLIC_DATA_TREE_HEIGHT),
});
export const MergeInputsSchema = struct({
  left: TxRollupOutputsSchema,
  leftProof: ChildProofSchema,
  right: TxRollupOutputsSchema,
  rightProof: ChildProofSchema,
});
export const BlockRootInputsSchema = struct({
  txs: TxRollupOutputsSchema,
  txsProof: ChildProofSchema,
  parity: ParityOutputsSchema,
  parityProof: ChildProofSchema,
  previousHeader: BlockHeaderSchema,
  previousHeaderPath: array(field, ARCHIVE_TREE_HEIGHT),
  l1ToL2SubtreePath: array(field, L1_TO_L2_MSG_SUBTREE_SIBLING_PATH_LENGTH),
  newArchivePath: array(field, ARCHIVE_TREE_HEIGHT),
});
export const BlockRootEmptyInputsSchema = struct({
  constants: BlockConstantsSchema,
  parity: ParityOutputsSchema,
  parityProof: ChildProofSchema,
  previousHeader: BlockHeaderSchema,
  previousHeaderPath: array(field, ARCHIVE_TREE_HEIGHT),
  l1ToL2SubtreePath: array(field, L1_TO_L2_MSG_SUBTREE_SIBLING_PATH_LENGTH),
  newArchivePath: array(field, ARCHIVE_TREE_HEIGHT),
});
export const BlockMergeInputsSchema = struct({
  left: BlockRollupOutputsSchema,
  leftProof: ChildProofSchema,
  right: BlockRollupOutputsSchema,
  rightProof: ChildProofSchema,
});
export const RootInputsSchema = struct({
  left: BlockRollupOutputsSchema,
  leftProof: ChildProofSchema,
  right: BlockRollupOutputsSchema,
  rightProof: ChildProofSchema,
  proverId: field,
});
export const RootSingleInputsSchema = struct({ blocks: BlockRollupOutputsSchema, blocksProof: ChildProofSchema, proverId: field });

export type TxCircuitInputs = Value<typeof TxCircuitInputsSchema>;
export type ParityBaseInputs = Value<typeof ParityBaseInputsSchema>;
export type ParityRootInputs = Value<typeof ParityRootInputsSchema>;
export type BaseInputs = Value<typeof BaseInputsSchema>;
export type MergeInputs = Value<typeof MergeInputsSchema>;
export type BlockRootInputs = Value<typeof BlockRootInputsSchema>;
export type BlockRootEmptyInputs = Value<typeof BlockRootEmptyInputsSchema>;
export type BlockMergeInputs = Value<typeof BlockMergeInputsSchema>;
export type RootInputs = Value<typeof RootInputsSchema>;
export type RootSingleInputs = Value<typeof RootSingleInputsSchema>;

/** Every circuit's input and public-output schema, by name. */
export const CIRCUIT_SCHEMAS = {
  tx: { inputs: TxCircuitInputsSchema, outputs: TxPublicOutputsSchema },
  'parity-base': { inputs: ParityBaseInputsSchema, outputs: ParityOutputsSchema },
  'parity-root': { inputs: ParityRootInputsSchema, outputs: ParityOutputsSchema },
  base: { inputs: BaseInputsSchema, outputs: TxRollupOutputsSchema },
  merge: { inputs: MergeInputsSchema, outputs: TxRollupOutputsSchema },
  'block-root': { inputs: BlockRootInputsSchema, outputs: BlockRollupOutputsSchema },
  'block-merge': { inputs: BlockMergeInputsSchema, outputs: BlockRollupOutputsSchema },
  root: { inputs: RootInputsSchema, outputs: RootOutputsSchema },
  'root-single': { inputs: RootSingleInputsSchema, outputs: RootOutputsSchema },
  'block-root-empty': { inputs: BlockRootEmptyInputsSchema, outputs: BlockRollupOutputsSchema },
} as const satisfies Record<CircuitName, { inputs: Schema; outputs: Schema }>;

export type CircuitInputs<C extends CircuitName> = Value<(typeof CIRCUIT_SCHEMAS)[C]['inputs']>;
export type CircuitOutputs<C extends CircuitName> = Value<(typeof CIRCUIT_SCHEMAS)[C]['outputs']>;
