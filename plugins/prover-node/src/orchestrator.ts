// The proof tree of one epoch, driven by promises: every circuit is enqueued at the broker the
// moment its inputs exist (parity bases when a block starts, a base when its tx is processed, a
// merge when its two children are proven, ...), so proving overlaps tx processing. Tree shapes
// follow SPEC.md: the tx merge tree of a block and the block merge tree of the epoch both put the
// largest power of two strictly below n leaves on the left.
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
import { makeProvingJob, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { ProvingJobTracker } from './job-tracker.js';

export type TxRollupResult = CircuitProofResult<'base' | 'merge'>;
export type BlockRollupResult = CircuitProofResult<'block-root' | 'block-root-empty' | 'block-merge'>;
export type RootResult = CircuitProofResult<'root' | 'root-single'>;

/** What the block-root circuit needs from the world state, taken in order by the caller. */
export interface BlockRootWitness extends BlockEndWitness {
  /** The header of the block before (genesis for block 1). */
  previousHeader: BlockHeader;
  /** The block's header as the archiver has it: the block-root's proven header hash must equal its hash. */
  header: BlockHeader;
}

export class ProofMismatchError extends Error {
  override name = 'ProofMismatchError';
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
  /**
   * Prove-ahead: the jobs go to the broker as speculative work (served after claimed work) until
   * the producer promotes the epoch (ProvingJobProducer.promoteProvingJobs).
   */
  speculative?: boolean;
}

export type RootCircuitChoice = 'auto' | 'root-single';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T | Promise<T>): void;
  reject(err: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T | Promise<T>) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

interface BlockSlot {
  blockNumber: number;
  bases: Deferred<TxRollupResult>[];
  nextTx: number;
  witness: Deferred<BlockRootWitness>;
}

/**
 * Usage, in order: `startBlock(i)` for i = 0..numBlocks-1, each followed by `addTx` for its txs in
 * order and `setBlockWitness`; `finalize()` resolves with the root proof (or the first failure).
 */
export class EpochOrchestrator {
  private readonly blocks: (BlockSlot | undefined)[];
  private readonly blockRoots: Deferred<BlockRollupResult>[];
  private readonly failure = deferred<never>();
  private readonly root: Promise<RootResult>;
  private failed: Error | undefined;

  constructor(private readonly o: EpochOrchestratorOptions) {
    if (!Number.isInteger(o.numBlocks) || o.numBlocks < 1) throw new RangeError(`an epoch has at least one block, got ${o.numBlocks}`);
    this.blocks = Array.from({ length: o.numBlocks }, () => undefined);
    this.blockRoots = Array.from({ length: o.numBlocks }, () => deferred<BlockRollupResult>());
    this.root = Promise.race([this.rootOf(this.blockRoots.map((d) => d.promise)), this.failure.promise]);
    this.root.catch(() => undefined);
  }

  /**
   * Starts block `index` of the epoch: its parity circuits go to the broker at once. A block without
   * txs is proven by `block-root-empty`.
   */
  startBlock(index: number, block: { blockNumber: number; numTxs: number; constants: BlockConstants; l1ToL2Messages: readonly bigint[] }): void {
    if (this.blocks[index] !== undefined || index < 0 || index >= this.o.numBlocks) throw new RangeError(`block index ${index} is out of range or already started`);
    if (!Number.isInteger(block.numTxs) || block.numTxs < 0) throw new RangeError(`block ${block.blockNumber}: bad tx count ${block.numTxs}`);
    const slot: BlockSlot = {
      blockNumber: block.blockNumber,
      bases: Array.from({ length: block.numTxs }, () => deferred<TxRollupResult>()),
      nextTx: 0,
      witness: deferred<BlockRootWitness>(),
    };
    this.blocks[index] = slot;
    // the circuits above this block's block-root, and above its parity root
    const blockRootType = block.numTxs === 0 ? 'block-root-empty' : 'block-root';
    const aboveBlockRoot = this.pathAboveBlock(index);
    const aboveBlockChildren: ProvingJobType[] = [blockRootType, ...aboveBlockRoot];
    const [pb0, pb1] = buildParityBaseInputs(block.l1ToL2Messages, this.o.vkTree.root);
    const aboveParityBase: ProvingJobType[] = ['parity-root', ...aboveBlockChildren];
    const parity = Promise.all([this.prove('parity-base', pb0!, aboveParityBase), this.prove('parity-base', pb1!, aboveParityBase)]).then(([l, r]) =>
      this.prove('parity-root', buildParityRootInputs(l, r, this.o.vkTree), aboveBlockChildren),
    );
    const checkHeader = (result: BlockRollupResult, w: BlockRootWitness): BlockRollupResult => {
      const proven = result.publicOutputs.headerHashes[0];
      if (proven !== w.header.hash()) {
        throw this.fail(new ProofMismatchError(`block ${slot.blockNumber}: the ${result.circuit} circuit proved header hash ${hex(proven)}, the archiver's header hashes to ${hex(w.header.hash())}`));
      }
      return result;
    };
    const blockLevel = (parityResult: CircuitProofResult<'parity-root'>, w: BlockRootWitness) => ({
      parity: parityResult,
      previousHeader: w.previousHeader,
      witness: { previousHeaderPath: w.previousHeaderPath, l1ToL2SubtreePath: w.l1ToL2SubtreePath, newArchivePath: w.newArchivePath },
      vkTree: this.o.vkTree,
    });
    if (block.numTxs === 0) {
      this.blockRoots[index]!.resolve(
        Promise.all([parity, slot.witness.promise]).then(async ([parityResult, w]) => {
          const result = await this.prove('block-root-empty', buildBlockRootEmptyInputs({ constants: block.constants, ...blockLevel(parityResult, w) }), aboveBlockRoot);
          return checkHeader(result, w);
        }),
      );
      return;
    }
    const txs = mergeTree(
      slot.bases.map((d) => d.promise),
      (l, r, path) => this.prove('merge', buildMergeInputs(l, r, this.o.vkTree), path),
      'merge',
      aboveBlockChildren,
    );
    this.blockRoots[index]!.resolve(
      Promise.all([txs, parity, slot.witness.promise]).then(async ([txsResult, parityResult, w]) => {
        const result = await this.prove('block-root', buildBlockRootInputs({ txs: txsResult, ...blockLevel(parityResult, w) }), aboveBlockRoot);
        return checkHeader(result, w);
      }),
    );
  }

  /** The next tx of block `index`, in order: its base circuit goes to the broker at once. */
  addTx(index: number, inputs: BaseInputs): void {
    const slot = this.slot(index);
    const d = slot.bases[slot.nextTx];
    if (!d) throw new RangeError(`block ${slot.blockNumber} has ${slot.bases.length} txs; got one more`);
    const above: ProvingJobType[] = [...leafPath(slot.bases.length, slot.nextTx, 'merge'), 'block-root', ...this.pathAboveBlock(index)];
    slot.nextTx++;
    d.resolve(this.prove('base', inputs, above));
  }

  /** The block's world-state witnesses; its block-root goes out once its txs and parity are proven. */
  setBlockWitness(index: number, witness: BlockRootWitness): void {
    const slot = this.slot(index);
    if (slot.nextTx !== slot.bases.length) throw new Error(`block ${slot.blockNumber}: ${slot.nextTx} of ${slot.bases.length} txs were added before its witness`);
    slot.witness.resolve(witness);
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

  private slot(index: number): BlockSlot {
    const slot = this.blocks[index];
    if (!slot) throw new RangeError(`block index ${index} was not started`);
    return slot;
  }

  private get singleRoot(): boolean {
    return this.o.numBlocks === 1 || this.o.rootCircuit === 'root-single';
  }

  /** The circuits above block `index`'s block-root, up to the root (the broker's scheduling key). */
  private pathAboveBlock(index: number): ProvingJobType[] {
    const n = this.o.numBlocks;
    if (this.singleRoot) return [...leafPath(n, index, 'block-merge'), 'root-single'];
    const k = largestPowerOfTwoBelow(n);
    return [...(index < k ? leafPath(k, index, 'block-merge') : leafPath(n - k, index - k, 'block-merge')), 'root'];
  }

  private rootOf(blocks: Promise<BlockRollupResult>[]): Promise<RootResult> {
    const { vkTree, proverId } = this.o;
    const merge = (l: BlockRollupResult, r: BlockRollupResult, path: ProvingJobType[]) => this.prove('block-merge', buildBlockMergeInputs(l, r, vkTree), path);
    if (this.singleRoot) {
      return mergeTree(blocks, merge, 'block-merge', ['root-single']).then((b) => this.prove('root-single', buildRootSingleInputs(b, proverId, vkTree), []));
    }
    const k = largestPowerOfTwoBelow(blocks.length);
    return Promise.all([mergeTree(blocks.slice(0, k), merge, 'block-merge', ['root']), mergeTree(blocks.slice(k), merge, 'block-merge', ['root'])]).then(([l, r]) =>
      this.prove('root', buildRootInputs(l, r, proverId, vkTree), []),
    );
  }

  private prove<C extends ProvingJobType>(type: C, inputs: CircuitInputs<C>, pathToRoot: ProvingJobType[]): Promise<CircuitProofResult<C>> {
    if (this.failed) return Promise.reject(this.failed);
    const job = makeProvingJob(this.o.epochNumber, type, encodeCircuitInputs(type, inputs), { pathToRoot, speculative: this.o.speculative });
    const result = this.o.tracker.prove(job).then((bytes) => decodeProofResult(bytes, type));
    result.catch((err: Error) => this.fail(err));
    return result;
  }
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

/** The `node`s above leaf `i` of the canonical tree over `n` leaves (as many as its depth). */
export function leafPath(n: number, i: number, node: ProvingJobType): ProvingJobType[] {
  const path: ProvingJobType[] = [];
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (i >= k) {
      i -= k;
      n -= k;
    } else n = k;
    path.push(node);
  }
  return path;
}

const hex = (v: bigint | undefined) => (v === undefined ? 'nothing' : `0x${v.toString(16)}`);
