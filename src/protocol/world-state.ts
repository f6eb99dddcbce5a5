// World-state interfaces used by the tx processor, the orchestrator and the prover node. The LMDB
// implementation lives in plugins/world-state; the same interfaces can be served over JSON-RPC,
// so every call is async.
//
// Block numbers: the state "at block N" is the state after block N was applied (its archive
// holds block hashes 0..N). Block 0 is genesis.
import type {
  AppendOnlyTreeId,
  IndexedTreeId,
  LowLeafResult,
  NullifierInsertionWitness,
  NullifierLeaf,
  NullifierNonMembershipWitness,
  PublicDataLeaf,
  PublicDataReadWitness,
  PublicDataWriteWitness,
  SiblingPath,
  TreeId,
  TreeSnapshot,
} from './trees/types.js';

export { TreeId } from './trees/types.js';

/** The four state trees of a header's state reference, plus the archive. */
export interface WorldStateReference {
  l1ToL2MessageTree: TreeSnapshot;
  noteHashTree: TreeSnapshot;
  nullifierTree: TreeSnapshot;
  publicDataTree: TreeSnapshot;
  archive: TreeSnapshot;
}

export interface TreeInfo extends TreeSnapshot {
  treeId: TreeId;
  height: number;
}

/** Read access to the five trees at one point (a committed block, or a fork's current state). */
export interface WorldStateReader {
  /** The block this view is at (for a fork: the block it was forked from). */
  readonly blockNumber: number;
  getTreeInfo(tree: TreeId): Promise<TreeInfo>;
  getStateReference(): Promise<WorldStateReference>;
  getSiblingPath(tree: TreeId, leafIndex: number): Promise<SiblingPath>;
  /** An append-only tree's leaf (undefined beyond the tree's size). */
  getLeaf(tree: AppendOnlyTreeId, leafIndex: number): Promise<bigint | undefined>;
  /** Index of the first leaf equal to `leaf` (append-only), or of the leaf whose key is `leaf` (indexed). */
  findLeafIndex(tree: TreeId, leaf: bigint): Promise<number | undefined>;
  getNullifierLeaf(leafIndex: number): Promise<NullifierLeaf | undefined>;
  getPublicDataLeaf(leafIndex: number): Promise<PublicDataLeaf | undefined>;
  findLowNullifier(value: bigint): Promise<LowLeafResult<NullifierLeaf>>;
  findLowPublicData(slot: bigint): Promise<LowLeafResult<PublicDataLeaf>>;
  getNullifierNonMembershipWitness(value: bigint): Promise<NullifierNonMembershipWitness>;
  /** Value at `slot` (0 when absent). */
  readPublicData(slot: bigint): Promise<bigint>;
  readPublicDataWithWitness(slot: bigint): Promise<{ value: bigint; witness: PublicDataReadWitness }>;
}

/**
 * A copy-on-write view of the state at some block that can be written without touching the
 * committed state. Close it after use.
 */
export interface WorldStateFork extends WorldStateReader {
  appendLeaves(tree: AppendOnlyTreeId, leaves: readonly bigint[]): Promise<void>;
  /** Sibling path of the aligned subtree of height `subtreeHeight` at the tree's next free index. */
  getSubtreeSiblingPath(tree: AppendOnlyTreeId, subtreeHeight: number): Promise<SiblingPath>;
  /**
   * Inserts nullifiers one at a time, in order (zeros are refused: callers skip them). Throws
   * "nullifier already exists" (and inserts none of `values`) when one is present.
   */
  insertNullifiers(values: readonly bigint[]): Promise<NullifierInsertionWitness[]>;
  /** Same as insertNullifiers without building witnesses (faster: block sync). */
  insertNullifiersNoWitness(values: readonly bigint[]): Promise<void>;
  writePublicData(slot: bigint, value: bigint): Promise<PublicDataWriteWitness>;
  /** Writes without building witnesses. */
  writePublicDataNoWitness(writes: readonly { slot: bigint; value: bigint }[]): Promise<void>;
  /** Releases the fork. Further calls throw. */
  close(): Promise<void>;
}

export interface WorldStateStatus {
  /** Latest committed block. */
  latestBlockNumber: number;
  /** Oldest block whose state can still be read or forked. */
  oldestHistoricBlockNumber: number;
  /** Block hash of the latest committed block (its archive leaf). */
  latestBlockHash: bigint;
}

/** The block-level tree effects the synchronizer commits. */
export interface BlockTreeEffects {
  blockNumber: number;
  /** Note hashes to append, in order (per tx: MAX_NOTE_HASHES_PER_TX, 0-padded). */
  noteHashes: readonly bigint[];
  /** Non-zero nullifiers, in order. */
  nullifiers: readonly bigint[];
  /** Public data writes (slot, new value), in order. */
  publicDataWrites: readonly { slot: bigint; value: bigint }[];
  /** The block's L1->L2 message leaves (L1_TO_L2_MSGS_PER_BLOCK, 0-padded). */
  l1ToL2Messages: readonly bigint[];
  /** The block hash appended to the archive. */
  blockHash: bigint;
}

/** The persisted world state: committed blocks, history, forks. */
export interface WorldStateDatabase {
  getStatus(): Promise<WorldStateStatus>;
  /** The latest committed state. */
  getCommitted(): WorldStateReader;
  /** The committed state at a retained block (throws when pruned or in the future). */
  getSnapshot(blockNumber: number): WorldStateReader;
  /** A fork at `blockNumber` (default: latest). */
  fork(blockNumber?: number): Promise<WorldStateFork>;
  /**
   * Applies `effects` on top of the latest block and commits them as block latest+1 in one
   * atomic write; returns the resulting state. If `expected` is given and a tree differs, nothing
   * is committed and a WorldStateMismatchError names the tree.
   */
  commitBlock(effects: BlockTreeEffects, expected?: Partial<WorldStateReference>): Promise<WorldStateReference>;
  /** Removes blocks after `blockNumber` (prune/reorg). */
  unwindTo(blockNumber: number): Promise<void>;
  /** Drops the history of blocks before `blockNumber` (their state can no longer be read). */
  removeHistoryBefore(blockNumber: number): Promise<void>;
  close(): Promise<void>;
}

export class WorldStateMismatchError extends Error {
  override name = 'WorldStateMismatchError';
  constructor(
    readonly blockNumber: number,
    readonly tree: string,
    readonly expected: TreeSnapshot,
    readonly actual: TreeSnapshot,
  ) {
    super(
      `block ${blockNumber}: ${tree} tree mismatch: header has root ${expected.root} next ${expected.nextAvailableLeafIndex}, ` +
        `world state has root ${actual.root} next ${actual.nextAvailableLeafIndex}`,
    );
  }
}

export interface WorldStateSyncStatus {
  syncedBlockNumber: number;
  syncedBlockHash: bigint;
  oldestHistoricBlockNumber: number;
  /** Set when sync stopped on an error (e.g. a root mismatch). */
  error?: string;
}

/** Keeps the world state in step with an L2BlockSource; the prover node's entry point. */
export interface WorldStateSynchronizer {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<WorldStateSyncStatus>;
  /** Syncs now, at least to `targetBlockNumber` (default: the source's latest); returns the synced block. */
  syncImmediate(targetBlockNumber?: number): Promise<number>;
  getCommitted(): WorldStateReader;
  getSnapshot(blockNumber: number): WorldStateReader;
  fork(blockNumber?: number): Promise<WorldStateFork>;
}

export type { IndexedTreeId };
