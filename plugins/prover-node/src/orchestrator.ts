// The proof tree of one epoch, driven by promises: every circuit is enqueued at the broker the
// moment its inputs exist (parity bases when a block starts, a base when its tx is processed, a
// merge when its two children are proven, ...), so proving overlaps tx processing. Tree shapes
// follow SPEC.md: the tx merge tree of a block and the block merge tree of the epoch both put the
// largest power of two strictly below n leaves on the left. A block's sub-tree (BlockProofTree)
// also runs on its own: prove-ahead proves it before the epoch is claimed.
import { nextTurn } from '@quetzal/kernel/turns';
import type { BlockHeader } from '@quetzal/protocol/block/header';
import type { CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import {
  buildBlockMergeInputs,
  buildBlockRootEmptyInputs,
  buildBlockRootInputs,
  buildMergeInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  buildRootInputs,
  buildRootSingleInputs,
  type BlockEndWitness,
} from '@quetzal/protocol/circuits/block-building';
import { decodeProofResult, encodeCircuitInputs } from '@quetzal/protocol/circuits/encoding';
import type { BaseInputs, BlockConstants, CircuitInputs } from '@quetzal/protocol/circuits/structs';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { largestPowerOfTwoBelow } from '@quetzal/protocol/hash/sha256';
import { leafPath } from '@quetzal/protocol/proof-tree';
import { makeProvingJob, type ProvingJob, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { deferred, type Deferred } from './deferred.js';
import type { EmptyParityProofs } from './empty-parity.js';
import type { ProvingJobTracker } from './job-tracker.js';

export type TxRollupResult = CircuitProofResult<'base' | 'merge'>;
export type BlockRollupResult = CircuitProofResult<'block-root' | 'block-root-empty' | 'block-merge'>;
export type RootResult = CircuitProofResult<'root' | 'root-single'>;

/** A block-root proven ahead of a claim, with the archive root of the block it proves (the claim checks it is the same block). */
export interface ProvenBlockRoot {
  archiveRoot: bigint;
  result: BlockRollupResult;
}
export type ParityResult = CircuitProofResult<'parity-root'>;

/** What the block-root circuit needs from the world state, taken in order by the caller. */
export interface BlockRootWitness extends BlockEndWitness {
  /** The header of the block before (genesis for block 1). */
  previousHeader: BlockHeader;
  /** The block's header as the archiver has it: the block-root's proven header hash must equal its hash. */
  header: BlockHeader;
}

/** A block as its sub-tree starts: what is known before its txs are re-executed. */
export interface BlockStart {
  blockNumber: number;
  numTxs: number;
  constants: BlockConstants;
  l1ToL2Messages: readonly bigint[];
}

export class ProofMismatchError extends Error {
  override name = 'ProofMismatchError';
}

/**
 * Proves one circuit of an epoch: enqueued at the broker, decoded on the way back. `pathToRoot`
 * names the circuits above it up to the epoch's root (the broker's scheduling key).
 */
export type CircuitProve = <C extends ProvingJobType>(type: C, inputs: CircuitInputs<C>, pathToRoot: ProvingJobType[]) => Promise<CircuitProofResult<C>>;

/**
 * A CircuitProve through a tracker, for the circuits of `epoch`. `speculative`: prove-ahead work,
 * served after claimed work; `onJob` sees each job before it goes out; none goes out once `signal`
 * is aborted.
 */
export function trackerProve(tracker: ProvingJobTracker, epoch: number, options: { speculative?: boolean; onJob?: (job: ProvingJob) => void; signal?: AbortSignal } = {}): CircuitProve {
  return async (type, inputs, pathToRoot) => {
    // Encoding a job's inputs and hashing them for its id take ms each: one job per turn of the event
    // loop, or a claim whose proofs are already at the broker (prove-ahead) would encode an epoch's
    // thousands of jobs in one stall, each proof coming back at once and releasing the next level.
    await nextTurn();
    options.signal?.throwIfAborted();
    const job = makeProvingJob(epoch, type, encodeCircuitInputs(type, inputs), { pathToRoot, speculative: options.speculative });
    options.onJob?.(job);
    return decodeProofResult(await tracker.prove(job), type);
  };
}

export interface BlockProofTreeOptions {
  prove: CircuitProve;
  /** The circuits above the block's block-root, up to the epoch's root (see pathAboveBlock). */
  aboveBlockRoot: ProvingJobType[];
  vkTree: VkTree;
  /** Parity proofs of message-free slices, proven once per VK tree (without: proven like any other). */
  emptyParity?: EmptyParityProofs;
}

/**
 * One block's sub-tree: its parity circuits (at once), a base per tx (`addTx`, in order), the
 * merges over them, and the block-root (`setWitness`). `blockRoot` resolves with the block-root
 * proof, or rejects with the first failure.
 */
export class BlockProofTree {
  readonly blockRoot: Promise<BlockRollupResult>;
  private readonly bases: Deferred<TxRollupResult>[];
  private nextTx = 0;
  private readonly witness = deferred<BlockRootWitness>();

  constructor(
    readonly block: BlockStart,
    private readonly o: BlockProofTreeOptions,
  ) {
    if (!Number.isInteger(block.numTxs) || block.numTxs < 0) throw new RangeError(`block ${block.blockNumber}: bad tx count ${block.numTxs}`);
    this.bases = Array.from({ length: block.numTxs }, () => deferred<TxRollupResult>());
    const { prove, vkTree, aboveBlockRoot } = o;
    const blockRootType = block.numTxs === 0 ? 'block-root-empty' : 'block-root';
    const aboveBlockChildren: ProvingJobType[] = [blockRootType, ...aboveBlockRoot];
    const parity = this.parity(aboveBlockChildren);
    const blockLevel = (parityResult: ParityResult, w: BlockRootWitness) => ({
      parity: parityResult,
      previousHeader: w.previousHeader,
      witness: { previousHeaderPath: w.previousHeaderPath, l1ToL2SubtreePath: w.l1ToL2SubtreePath, newArchivePath: w.newArchivePath },
      vkTree,
    });
    if (block.numTxs === 0) {
      this.blockRoot = Promise.all([parity, this.witness.promise]).then(async ([parityResult, w]) =>
        this.checkHeader(await prove('block-root-empty', buildBlockRootEmptyInputs({ constants: block.constants, ...blockLevel(parityResult, w) }), aboveBlockRoot), w),
      );
    } else {
      const txs = mergeTree(
        this.bases.map((d) => d.promise),
        (l, r, path) => prove('merge', buildMergeInputs(l, r, vkTree), path),
        'merge',
        aboveBlockChildren,
      );
      this.blockRoot = Promise.all([txs, parity, this.witness.promise]).then(async ([txsResult, parityResult, w]) =>
        this.checkHeader(await prove('block-root', buildBlockRootInputs({ txs: txsResult, ...blockLevel(parityResult, w) }), aboveBlockRoot), w),
      );
    }
    this.blockRoot.catch(() => undefined);
  }

  /** The next tx, in order: its base circuit goes to the broker at once. */
  addTx(inputs: BaseInputs): void {
    const d = this.bases[this.nextTx];
    if (!d) throw new RangeError(`block ${this.block.blockNumber} has ${this.bases.length} txs; got one more`);
    const above: ProvingJobType[] = [...leafPath(this.bases.length, this.nextTx, 'merge'), 'block-root', ...this.o.aboveBlockRoot];
    this.nextTx++;
    d.resolve(this.o.prove('base', inputs, above));
  }

  /** The block's world-state witnesses; its block-root goes out once its txs and parity are proven. */
  setWitness(witness: BlockRootWitness): void {
    if (this.nextTx !== this.bases.length) throw new Error(`block ${this.block.blockNumber}: ${this.nextTx} of ${this.bases.length} txs were added before its witness`);
    this.witness.resolve(witness);
  }

  /** The block's parity-root (`above`: the circuits above it): the kept empty one for a block without messages. */
  private parity(above: ProvingJobType[]): Promise<ParityResult> {
    const { prove, vkTree, emptyParity } = this.o;
    const slices = buildParityBaseInputs(this.block.l1ToL2Messages, vkTree.root);
    const empty = slices.map((s) => s.msgs.every((m) => m === 0n));
    if (emptyParity && empty.every(Boolean)) return emptyParity.root();
    const aboveBase: ProvingJobType[] = ['parity-root', ...above];
    const [b0, b1] = slices.map((s, i) => (emptyParity && empty[i] ? emptyParity.base() : prove('parity-base', s, aboveBase)));
    return Promise.all([b0!, b1!]).then(([l, r]) => prove('parity-root', buildParityRootInputs(l, r, vkTree), above));
  }

  private checkHeader(result: BlockRollupResult, w: BlockRootWitness): BlockRollupResult {
    const proven = result.publicOutputs.headerHashes[0];
    if (proven !== w.header.hash()) {
      throw new ProofMismatchError(`block ${this.block.blockNumber}: the ${result.circuit} circuit proved header hash ${hex(proven)}, the archiver's header hashes to ${hex(w.header.hash())}`);
    }
    return result;
  }
}

export interface EpochOrchestratorOptions {
  epochNumber: number;
  /** Blocks in the epoch (1..MAX_BLOCKS_PER_EPOCH). */
  numBlocks: number;
  tracker: ProvingJobTracker;
  vkTree: VkTree;
  proverId: bigint;
  /**
   * `auto` (default): `root` over two block-level proofs, `root-single` for a one-block epoch (the
   * fewest circuits). `root-single`: always `root-single` (over a block-merge tree for several
   * blocks), so one L1 verifier (the root-single VK's) accepts every epoch.
   */
  rootCircuit?: RootCircuitChoice;
  emptyParity?: EmptyParityProofs;
  /** Enqueue as speculative work (served after claimed work) until the producer promotes the epoch. */
  speculative?: boolean;
}

export type RootCircuitChoice = 'auto' | 'root-single';

/**
 * Usage, in order: `startBlock(i)` for i = 0..numBlocks-1, each followed by `addTx` for its txs in
 * order and `setBlockWitness`; `finalize()` resolves with the root proof (or the first failure).
 */
export class EpochOrchestrator {
  private readonly blocks: (BlockProofTree | undefined)[];
  private readonly blockRoots: Deferred<BlockRollupResult>[];
  private readonly failure = deferred<never>();
  private readonly root: Promise<RootResult>;
  private readonly proveOne: CircuitProve;
  private failed: Error | undefined;

  constructor(private readonly o: EpochOrchestratorOptions) {
    if (!Number.isInteger(o.numBlocks) || o.numBlocks < 1) throw new RangeError(`an epoch has at least one block, got ${o.numBlocks}`);
    const proveTracked = trackerProve(o.tracker, o.epochNumber, { speculative: o.speculative });
    this.proveOne = (type, inputs, pathToRoot) => {
      if (this.failed) return Promise.reject(this.failed);
      const result = proveTracked(type, inputs, pathToRoot);
      result.catch((err: Error) => this.fail(err));
      return result;
    };
    this.blocks = Array.from({ length: o.numBlocks }, () => undefined);
    this.blockRoots = Array.from({ length: o.numBlocks }, () => deferred<BlockRollupResult>());
    this.root = Promise.race([this.rootOf(this.blockRoots.map((d) => d.promise)), this.failure.promise]);
    this.root.catch(() => undefined);
  }

  /**
   * Starts block `index` of the epoch: its parity circuits go to the broker at once. A block without
   * txs is proven by `block-root-empty`.
   */
  startBlock(index: number, block: BlockStart): void {
    if (this.blocks[index] !== undefined || index < 0 || index >= this.o.numBlocks) throw new RangeError(`block index ${index} is out of range or already started`);
    const tree = new BlockProofTree(block, { prove: this.proveOne, aboveBlockRoot: pathAboveBlock(index, this.o.numBlocks, this.o.rootCircuit), vkTree: this.o.vkTree, emptyParity: this.o.emptyParity });
    this.blocks[index] = tree;
    tree.blockRoot.catch((err: Error) => this.fail(err));
    this.blockRoots[index]!.resolve(tree.blockRoot);
  }

  /** Block `index` is proven already (its block-root proven ahead of the claim, for this very block): no sub-tree. */
  useBlockRoot(index: number, proven: BlockRollupResult): void {
    if (this.blocks[index] !== undefined || index < 0 || index >= this.o.numBlocks) throw new RangeError(`block index ${index} is out of range or already started`);
    this.blockRoots[index]!.resolve(proven);
  }

  /** The next tx of block `index`, in order: its base circuit goes to the broker at once. */
  addTx(index: number, inputs: BaseInputs): void {
    this.tree(index).addTx(inputs);
  }

  /** The block's world-state witnesses; its block-root goes out once its txs and parity are proven. */
  setBlockWitness(index: number, witness: BlockRootWitness): void {
    this.tree(index).setWitness(witness);
  }

  /** The root proof of the epoch; rejects with the first failure of any circuit. */
  finalize(): Promise<RootResult> {
    return this.root;
  }

  /** Stops the tree: finalize() rejects with `err` (jobs already at the broker stay there for re-use). */
  fail(err: Error): Error {
    if (!this.failed) {
      this.failed = err;
      this.failure.reject(err);
    }
    return err;
  }

  private tree(index: number): BlockProofTree {
    const tree = this.blocks[index];
    if (!tree) throw new RangeError(`block index ${index} was not started`);
    return tree;
  }

  private rootOf(blocks: Promise<BlockRollupResult>[]): Promise<RootResult> {
    const { vkTree, proverId } = this.o;
    const prove = this.proveOne;
    const merge = (l: BlockRollupResult, r: BlockRollupResult, path: ProvingJobType[]) => prove('block-merge', buildBlockMergeInputs(l, r, vkTree), path);
    if (singleRoot(blocks.length, this.o.rootCircuit)) {
      return mergeTree(blocks, merge, 'block-merge', ['root-single']).then((b) => prove('root-single', buildRootSingleInputs(b, proverId, vkTree), []));
    }
    const k = largestPowerOfTwoBelow(blocks.length);
    return Promise.all([mergeTree(blocks.slice(0, k), merge, 'block-merge', ['root']), mergeTree(blocks.slice(k), merge, 'block-merge', ['root'])]).then(([l, r]) =>
      prove('root', buildRootInputs(l, r, proverId, vkTree), []),
    );
  }
}

function singleRoot(numBlocks: number, rootCircuit: RootCircuitChoice | undefined): boolean {
  return numBlocks === 1 || rootCircuit === 'root-single';
}

/** The circuits above block `index`'s block-root in an epoch of `numBlocks` blocks, up to the root. */
export function pathAboveBlock(index: number, numBlocks: number, rootCircuit: RootCircuitChoice | undefined): ProvingJobType[] {
  if (singleRoot(numBlocks, rootCircuit)) return [...leafPath(numBlocks, index, 'block-merge'), 'root-single'];
  const k = largestPowerOfTwoBelow(numBlocks);
  return [...(index < k ? leafPath(k, index, 'block-merge') : leafPath(numBlocks - k, index - k, 'block-merge')), 'root'];
}

/**
 * Combines leaves pairwise in the canonical shape (left: largest power of two strictly below n);
 * `above` lists the circuits above the tree's top node, and each node learns its own path.
 */
function mergeTree<T>(leaves: Promise<T>[], merge: (l: T, r: T, pathToRoot: ProvingJobType[]) => Promise<T>, node: ProvingJobType, above: ProvingJobType[]): Promise<T> {
  if (leaves.length === 1) return leaves[0]!;
  const k = largestPowerOfTwoBelow(leaves.length);
  const below = [node, ...above];
  return Promise.all([mergeTree(leaves.slice(0, k), merge, node, below), mergeTree(leaves.slice(k), merge, node, below)]).then(([l, r]) => merge(l, r, above));
}

const hex = (v: bigint | undefined) => (v === undefined ? 'nothing' : `0x${v.toString(16)}`);
