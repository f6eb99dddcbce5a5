// One epoch, from its blocks' re-executions to a root proof on L1: the block processor validated
// (or now validates) each block and holds its base inputs and block-root witness; the job feeds
// them into the orchestrator as each appears (the broker already has the proofs prove-ahead made:
// same inputs, same job ids), waits for the root, publishes it.
import { randomUUID } from 'node:crypto';
import type { Logger } from '@quetzal/kernel/logging';
import type { VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { MAX_BLOCKS_PER_EPOCH } from '@quetzal/protocol/constants';
import type { ProvingJobProducer, ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { EpochProvingJobState, EpochProvingJobStatus } from '@quetzal/protocol/prover-node-api';
import { hex } from './block-check.js';
import { feed, type BlockExecution } from './block-processor.js';
import type { EmptyParityProofs } from './empty-parity.js';
import { ProvingJobTracker } from './job-tracker.js';
import { EpochOrchestrator, ProofMismatchError, type ProvenBlockRoot, type RootCircuitChoice, type RootResult } from './orchestrator.js';

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
  /** The epoch's blocks, re-executed (the block processor). */
  blocks: { executions(from: number, to: number): Promise<BlockExecution[]> };
  producer: ProvingJobProducer;
  keys: EpochProvingKeys;
  proverId: bigint;
  /** Which root circuit tops the tree (default `auto`). */
  rootCircuit?: RootCircuitChoice;
  emptyParity?: EmptyParityProofs;
  /** Block-roots proven ahead of the claim (ProveAhead.claimed), by block number: those blocks' sub-trees are skipped. */
  provenBlockRoots?: ReadonlyMap<number, ProvenBlockRoot>;
  /** Enqueue as speculative work, until the producer promotes the epoch (promoteProvingJobs). */
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

  /** Feeds the epoch's block executions into its proof tree and resolves with the root proof. */
  private async prove(): Promise<RootResult> {
    const { epochNumber: epoch, fromBlock, toBlock } = this.o;
    const executions = await this.abortable(this.o.blocks.executions(fromBlock, toBlock));
    const orchestrator = new EpochOrchestrator({
      epochNumber: epoch,
      numBlocks: executions.length,
      tracker: this.tracker,
      vkTree: this.o.keys.vkTree,
      proverId: this.o.proverId,
      rootCircuit: this.o.rootCircuit,
      emptyParity: this.o.emptyParity,
      speculative: this.o.speculative,
    });
    const stop = () => orchestrator.fail(this.ac.signal.reason as Error);
    this.ac.signal.addEventListener('abort', stop, { once: true });
    try {
      for (const [i, execution] of executions.entries()) {
        const proven = this.o.provenBlockRoots?.get(execution.blockNumber);
        if (proven && proven.archiveRoot === execution.block.archive.root) {
          orchestrator.useBlockRoot(i, proven.result);
          this.o.onCircuitSettled?.(proven.result.circuit, 0, true, true);
          continue;
        }
        const slot = { start: orchestrator.startBlock.bind(orchestrator, i), addTx: orchestrator.addTx.bind(orchestrator, i), setWitness: orchestrator.setBlockWitness.bind(orchestrator, i) };
        await this.abortable(feed(execution, slot, this.ac.signal));
      }
    } catch (err) {
      throw orchestrator.fail(err as Error);
    }
    this.state = 'awaiting-root';
    const root = await orchestrator.finalize();
    this.ac.signal.removeEventListener('abort', stop);
    const last = executions[executions.length - 1]!.block;
    if (root.publicOutputs.endArchiveRoot !== last.archive.root) {
      throw new ProofMismatchError(`epoch ${epoch}: the root proves end archive ${hex(root.publicOutputs.endArchiveRoot)}, block ${toBlock} has ${hex(last.archive.root)}`);
    }
    return root;
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

