// One epoch, from the archiver's blocks to a root proof on L1: fetch the full txs, fork the world
// state at the block before the epoch, re-execute every tx in order (producing its base inputs),
// feed the orchestrator as each input appears, check every rebuilt header against the archiver's,
// wait for the root, publish it.
import { randomUUID } from 'node:crypto';
import type { Logger } from '@quetzal/kernel/logging';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { AppendOnlyTreeSnapshot, BlockHeader, StateReference } from '@quetzal/protocol/block/header';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import type { VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import { blockConstants, buildBaseInputs, finishBlock } from '@quetzal/protocol/circuits/block-building';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { ARCHIVE_TREE_HEIGHT, MAX_BLOCKS_PER_EPOCH } from '@quetzal/protocol/constants';
import type { L2BlockSyncSource } from '@quetzal/protocol/l2-block-source';
import type { ProvingJobProducer, ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { zeroHash } from '@quetzal/protocol/trees/hash';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { EpochProvingJobState, EpochProvingJobStatus } from '@quetzal/protocol/prover-node-api';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import type { WorldStateFork, WorldStateSynchronizer } from '@quetzal/protocol/world-state';
import { assertSameHeader, BlockMismatchError, hex } from './block-check.js';
import { ProvingJobTracker } from './job-tracker.js';
import { EpochOrchestrator, ProofMismatchError, type RootCircuitChoice, type RootResult } from './orchestrator.js';

const FINAL_STATES: readonly EpochProvingJobState[] = ['completed', 'failed', 'timed-out', 'reorged', 'stopped'];

/** The keys an epoch is proven against. */
export interface EpochProvingKeys {
  vkTree: VkTree;
  /** The `tx` circuit's VK: every client proof is verified against it by the base circuit. */
  txVerificationKey: VerificationKeyData;
}

export interface PublishRequest {
  epoch: number;
  fromBlock: number;
  toBlock: number;
  root: RootResult;
  /** Wall-clock ms after which the proof is no longer accepted. */
  deadline?: number;
  signal: AbortSignal;
}

/** Sends a root proof to L1 (or wherever); resolves once it is accepted. */
export interface EpochProofPublisher {
  publish(request: PublishRequest): Promise<{ txHash?: string; gasUsed?: bigint }>;
}

export interface EpochProvingJobOptions {
  epochNumber: number;
  fromBlock: number;
  toBlock: number;
  /** Blocks and their L1->L2 messages (the archiver). */
  blockSource: L2BlockSyncSource;
  worldState: WorldStateSynchronizer;
  txProvider: TxProvider;
  producer: ProvingJobProducer;
  keys: EpochProvingKeys;
  proverId: bigint;
  /** Which root circuit tops the tree (default `auto`). */
  rootCircuit?: RootCircuitChoice;
  /** Prove-ahead: enqueue as speculative work, until the producer promotes the epoch (promoteProvingJobs). */
  speculative?: boolean;
  publisher: EpochProofPublisher;
  /** Wall-clock ms: the job ends as `timed-out` when it is not published by then. */
  deadline?: number;
  /** Long-poll window at the broker (default 5 s). */
  pollMs?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** Per settled circuit (metrics). */
  onCircuitSettled?: (type: ProvingJobType, seconds: number, reused: boolean, ok: boolean) => void;
}

/** A job stopped from outside: its end state. */
class JobEnded extends Error {
  constructor(readonly state: EpochProvingJobState, reason: string) {
    super(reason);
  }
}

export class EpochProvingJob {
  readonly id = randomUUID();
  private state: EpochProvingJobState = 'initialized';
  private readonly ac = new AbortController();
  private readonly tracker: ProvingJobTracker;
  private readonly startedAt = Date.now();
  private finishedAt: number | undefined;
  private error: string | undefined;
  private proofTxHash: string | undefined;
  private proofGasUsed: bigint | undefined;
  private running: Promise<EpochProvingJobState> | undefined;

  constructor(private readonly o: EpochProvingJobOptions) {
    const n = o.toBlock - o.fromBlock + 1;
    if (!Number.isInteger(o.fromBlock) || o.fromBlock < 1 || n < 1 || n > MAX_BLOCKS_PER_EPOCH) {
      throw new RangeError(`epoch ${o.epochNumber}: blocks ${o.fromBlock}..${o.toBlock} are not 1..${MAX_BLOCKS_PER_EPOCH} blocks from block 1 on`);
    }
    this.tracker = new ProvingJobTracker(o.producer, { pollMs: o.pollMs, signal: this.ac.signal, onSettled: o.onCircuitSettled });
  }

  get epochNumber(): number {
    return this.o.epochNumber;
  }

  getState(): EpochProvingJobState {
    return this.state;
  }

  isDone(): boolean {
    return FINAL_STATES.includes(this.state);
  }

  getStatus(): EpochProvingJobStatus {
    const { epochNumber: epoch, fromBlock, toBlock, deadline } = this.o;
    return {
      id: this.id,
      epoch,
      fromBlock,
      toBlock,
      state: this.state,
      startedAt: this.startedAt,
      ...(this.finishedAt !== undefined && { finishedAt: this.finishedAt }),
      ...(deadline !== undefined && { deadline }),
      jobs: this.tracker.stats(),
      ...(this.error !== undefined && { error: this.error }),
      ...(this.proofTxHash !== undefined && { proofTxHash: this.proofTxHash }),
      ...(this.proofGasUsed !== undefined && { proofGasUsed: this.proofGasUsed.toString() }),
    };
  }

  /** Runs the job to its end state (never rejects). */
  run(): Promise<EpochProvingJobState> {
    this.running ??= this.execute();
    return this.running;
  }

  /** Ends the job as `state` (`stopped`, or `reorged` when its blocks left the chain); resolves when it has wound down. */
  async stop(state: 'stopped' | 'reorged' = 'stopped', reason = 'stopped'): Promise<void> {
    if (!this.ac.signal.aborted) this.ac.abort(new JobEnded(state, reason));
    if (this.running) await this.running;
  }

  private async execute(): Promise<EpochProvingJobState> {
    const { epochNumber: epoch, fromBlock, toBlock, deadline } = this.o;
    const log = this.o.logger;
    let timer: NodeJS.Timeout | undefined;
    if (deadline !== undefined) {
      const fire = () => this.ac.abort(new JobEnded('timed-out', `epoch ${epoch} was not proven before its deadline ${new Date(deadline).toISOString()}`));
      timer = setTimeout(fire, Math.max(0, deadline - Date.now()));
    }
    try {
      this.state = 'processing';
      log?.info({ epoch, fromBlock, toBlock, job: this.id }, 'epoch proving job started');
      const root = await this.abortable(this.prove());
      this.state = 'publishing';
      const published = await this.abortable(this.o.publisher.publish({ epoch, fromBlock, toBlock, root, deadline, signal: this.ac.signal }));
      this.proofTxHash = published.txHash;
      this.proofGasUsed = published.gasUsed;
      this.state = 'completed';
      log?.info({ epoch, job: this.id, tx: published.txHash, seconds: (Date.now() - this.startedAt) / 1000 }, 'epoch proven and published');
    } catch (err) {
      const reason = this.ac.signal.reason;
      if (reason instanceof JobEnded) {
        this.state = reason.state;
        this.error = reason.message;
        log?.warn({ epoch, job: this.id, state: reason.state, reason: reason.message }, 'epoch proving job ended');
      } else {
        this.state = 'failed';
        this.error = (err as Error).message;
        log?.error({ epoch, job: this.id, err: this.error }, 'epoch proving job failed');
        this.ac.abort(err);
      }
    } finally {
      clearTimeout(timer);
      this.finishedAt = Date.now();
    }
    return this.state;
  }

  /** Processes the epoch and resolves with its root proof. */
  private async prove(): Promise<RootResult> {
    const { fromBlock, toBlock } = this.o;
    const blocks = await this.loadBlocks();
    const txs = await this.loadTxs(blocks);
    await this.o.worldState.syncImmediate(fromBlock - 1);
    const orchestrator = new EpochOrchestrator({ epochNumber: this.o.epochNumber, numBlocks: blocks.length, tracker: this.tracker, vkTree: this.o.keys.vkTree, proverId: this.o.proverId, rootCircuit: this.o.rootCircuit, speculative: this.o.speculative });
    const stop = () => orchestrator.fail(this.ac.signal.reason as Error);
    this.ac.signal.addEventListener('abort', stop, { once: true });
    const fork = await this.o.worldState.fork(fromBlock - 1);
    try {
      await this.processBlocks(fork, blocks, txs, orchestrator);
    } catch (err) {
      throw orchestrator.fail(err as Error);
    } finally {
      await fork.close();
    }
    this.state = 'awaiting-root';
    const root = await orchestrator.finalize();
    this.ac.signal.removeEventListener('abort', stop);
    const last = blocks[blocks.length - 1]!;
    if (root.publicOutputs.endArchiveRoot !== last.archive.root) {
      throw new ProofMismatchError(`epoch ${this.o.epochNumber}: the root proves end archive ${hex(root.publicOutputs.endArchiveRoot)}, block ${toBlock} has ${hex(last.archive.root)}`);
    }
    return root;
  }

  private async loadBlocks(): Promise<L2Block[]> {
    const { fromBlock, toBlock, epochNumber } = this.o;
    const blocks = await this.o.blockSource.getBlocks(fromBlock, toBlock - fromBlock + 1);
    for (let n = fromBlock; n <= toBlock; n++) {
      const block = blocks[n - fromBlock];
      if (!block || Number(block.number) !== n) throw new Error(`epoch ${epochNumber}: the archiver has no block ${n} (it has ${blocks.length} of ${fromBlock}..${toBlock})`);
      try {
        block.checkBody();
      } catch (err) {
        throw new Error(`block ${n}: ${(err as Error).message}`, { cause: err });
      }
    }
    return blocks;
  }

  /** The full txs of every block, in block order; each must match the effect its block carries. */
  private async loadTxs(blocks: L2Block[]): Promise<Tx[][]> {
    const hashes = blocks.flatMap((b) => b.body.txEffects.map((e) => e.txHash));
    const found = await this.abortable(this.o.txProvider.getTxsByHash(hashes, { signal: this.ac.signal }));
    const blockOf = blocks.flatMap((b) => b.body.txEffects.map(() => b.number));
    const missing = hashes.flatMap((h, j) => (found[j] ? [] : [`${hex(h)} (block ${blockOf[j]})`]));
    if (missing.length) {
      throw new Error(`${missing.length} of the epoch's ${hashes.length} txs were not found: ${missing.join(', ')}; sources tried: ${this.o.txProvider.describe?.() ?? 'the tx provider'}`);
    }
    let i = 0;
    return blocks.map((block) =>
      block.body.txEffects.map((effect) => {
        const tx = found[i++]!;
        if (Buffer.compare(tx.toEffect().encode(), effect.encode()) !== 0) throw new Error(`block ${block.number}: tx ${hex(effect.txHash)} from the tx provider does not match the block's tx effect`);
        return tx;
      }),
    );
  }

  private async processBlocks(fork: WorldStateFork, blocks: L2Block[], txs: Tx[][], orchestrator: EpochOrchestrator): Promise<void> {
    const { vkTree, txVerificationKey } = this.o.keys;
    let previousHeader = await this.headerBefore(fork, blocks[0]!);
    for (const [i, block] of blocks.entries()) {
      this.ac.signal.throwIfAborted();
      const n = Number(block.number);
      const globals = block.header.globalVariables;
      const messages = await this.o.blockSource.getL1ToL2Messages(n);
      const lastArchive = AppendOnlyTreeSnapshot.of((await fork.getStateReference()).archive);
      const constants = blockConstants(lastArchive, globals, vkTree.root);
      orchestrator.startBlock(i, { blockNumber: n, numTxs: block.body.numTxs, constants, l1ToL2Messages: messages });
      for (const tx of txs[i]!) {
        this.ac.signal.throwIfAborted();
        const txProof = childProofOf({ circuit: 'tx', proof: [...tx.proof], vk: txVerificationKey }, vkTree);
        try {
          orchestrator.addTx(i, await buildBaseInputs(fork, { tx: tx.publicOutputs, txProof, constants }));
        } catch (err) {
          throw new Error(`block ${n}: ${(err as Error).message}`, { cause: err });
        }
      }
      const finished = await finishBlock(fork, { txEffects: block.body.txEffects, l1ToL2Messages: messages, globals });
      assertSameHeader(n, finished.header, block.header);
      if (finished.archive.root !== block.archive.root) throw new BlockMismatchError(n, 'archive.root', finished.archive.root, block.archive.root);
      if (finished.archive.nextAvailableLeafIndex !== block.archive.nextAvailableLeafIndex) {
        throw new BlockMismatchError(n, 'archive.nextAvailableLeafIndex', finished.archive.nextAvailableLeafIndex, block.archive.nextAvailableLeafIndex);
      }
      orchestrator.setBlockWitness(i, { previousHeader, ...finished.witness, header: block.header });
      previousHeader = block.header;
      this.o.logger?.debug({ block: n, txs: block.body.numTxs }, 'block processed');
    }
  }

  /** The header of the block before the epoch (rebuilt for genesis), checked against the archive. */
  private async headerBefore(fork: WorldStateFork, first: L2Block): Promise<BlockHeader> {
    const n = this.o.fromBlock - 1;
    let header: BlockHeader;
    if (n === 0) {
      const g = first.header.globalVariables;
      header = BlockHeader.genesis(StateReference.of(await fork.getStateReference()), zeroHash(ARCHIVE_TREE_HEIGHT), g.chainId, g.version);
    } else {
      const block = await this.o.blockSource.getBlock(n);
      if (!block) throw new Error(`epoch ${this.o.epochNumber}: the archiver has no block ${n} (the block before the epoch)`);
      header = block.header;
    }
    const leaf = await fork.getLeaf(TreeId.ARCHIVE, n);
    if (leaf !== blockHash(header)) {
      throw new BlockMismatchError(n, n === 0 ? 'genesis block hash (chain id / version of the genesis header)' : 'block hash', blockHash(header), leaf ?? 0n);
    }
    return header;
  }

  private abortable<T>(p: Promise<T>): Promise<T> {
    const signal = this.ac.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

