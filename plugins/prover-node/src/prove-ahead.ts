// Prove-ahead: each block's sub-tree (parity, bases, merges, block-root) goes to the broker as
// speculative work the moment the block processor has validated it, before its epoch ends and
// before any claim. A won claim re-enqueues the same circuits as claimed work (same inputs, same
// job ids): the broker hands back what is proven and promotes what is not. A block that leaves the
// chain takes its jobs with it; an epoch lost to another prover (or declined, or pruned) has its
// speculative jobs cancelled. The broker serves claimed work first, so speculation only uses
// agents that would otherwise wait.
import type { Logger } from '@quetzal/kernel/logging';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import type { ProvingJobId, ProvingJobProducer, ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { feed, type BlockExecution, type BlockSink } from './block-processor.js';
import type { EmptyParityProofs } from './empty-parity.js';
import { ProvingJobTracker } from './job-tracker.js';
import { BlockProofTree, pathAboveBlock, trackerProve, type ProvenBlockRoot, type RootCircuitChoice } from './orchestrator.js';

export interface ProveAheadOptions {
  producer: ProvingJobProducer;
  vkTree: VkTree;
  emptyParity?: EmptyParityProofs;
  rootCircuit?: RootCircuitChoice;
  /** Long-poll window at the broker (default 5 s). */
  pollMs?: number;
  logger?: Pick<Logger, 'info' | 'debug' | 'warn'>;
  onCircuitSettled?: (type: ProvingJobType, seconds: number, reused: boolean, ok: boolean) => void;
}

interface SpeculativeBlock {
  tree?: BlockProofTree;
  jobs: Set<ProvingJobId>;
  /** Aborted when the block leaves the chain: no more of its jobs go out. */
  dropped: AbortController;
  /** Its block-root, once proven. */
  proven?: ProvenBlockRoot;
}


interface SpeculativeEpoch {
  ac: AbortController;
  tracker: ProvingJobTracker;
  /** By block number. */
  blocks: Map<number, SpeculativeBlock>;
  firstBlock: number;
}

export class ProveAhead {
  private readonly epochs = new Map<number, SpeculativeEpoch>();
  /** Epochs claimed or given up: no more speculation for them. */
  private readonly settled = new Set<number>();

  constructor(private readonly o: ProveAheadOptions) {}

  /** Epochs with speculative work under way. */
  epochsInFlight(): number[] {
    return [...this.epochs.keys()];
  }

  /** A block passed validation: its sub-tree goes to the broker as speculative work. */
  blockValidated(execution: BlockExecution): void {
    const { epoch, blockNumber: n } = execution;
    if (this.settled.has(epoch)) return;
    const spec = this.epoch(epoch, n);
    const block: SpeculativeBlock = { jobs: new Set(), dropped: new AbortController() };
    spec.blocks.set(n, block);
    const signal = AbortSignal.any([spec.ac.signal, block.dropped.signal]);
    const prove = trackerProve(spec.tracker, epoch, { speculative: true, onJob: (job) => block.jobs.add(job.id), signal });
    const index = n - spec.firstBlock;
    // the epoch's final block count is not known yet: the blocks so far set the scheduling key
    const aboveBlockRoot = pathAboveBlock(index, index + 1, this.o.rootCircuit);
    const sink: BlockSink = {
      start: (start) => (block.tree = new BlockProofTree(start, { prove, aboveBlockRoot, vkTree: this.o.vkTree, emptyParity: this.o.emptyParity })),
      addTx: (inputs) => block.tree!.addTx(inputs),
      setWitness: (witness) => block.tree!.setWitness(witness),
    };
    void feed(execution, sink, spec.ac.signal)
      .then(() => block.tree!.blockRoot)
      .then(
        (result) => {
          block.proven = { archiveRoot: execution.block.archive.root, result };
          this.o.logger?.debug({ epoch, block: n }, 'block proven ahead of its claim');
        },
        (err: Error) => signal.aborted || this.o.logger?.warn({ epoch, block: n, err: err.message }, 'proving a block ahead failed; its claim proves it again'),
      );
    this.o.logger?.debug({ epoch, block: n, txs: execution.block.body.numTxs }, 'proving the block ahead of its claim');
  }

  /** Whether the block's block-root was proven ahead (its epoch not settled yet). */
  isProven(epoch: number, blockNumber: number): boolean {
    return this.epochs.get(epoch)?.blocks.get(blockNumber)?.proven !== undefined;
  }

  /** The block left the chain: its jobs are cancelled. */
  blockDropped(execution: BlockExecution): void {
    const spec = this.epochs.get(execution.epoch);
    const block = spec?.blocks.get(execution.blockNumber);
    if (!spec || !block) return;
    block.dropped.abort(new Error(`block ${execution.blockNumber} left the chain`));
    spec.blocks.delete(execution.blockNumber);
    void spec.tracker.cancel(block.jobs, new Error(`block ${execution.blockNumber} left the chain`));
    this.o.logger?.info({ epoch: execution.epoch, block: execution.blockNumber, jobs: block.jobs.size }, 'block left the chain: its prove-ahead jobs are cancelled');
  }

  /**
   * We won the epoch: its speculative jobs become claimed work (the claim's job takes over from
   * here) and the block-roots proven so far, by block number, go to the claim's job, which then
   * skips those blocks' sub-trees (thousands of jobs to encode again for a large epoch).
   */
  async claimed(epoch: number): Promise<Map<number, ProvenBlockRoot>> {
    const proven = new Map<number, ProvenBlockRoot>();
    for (const [n, block] of this.epochs.get(epoch)?.blocks ?? []) if (block.proven) proven.set(n, block.proven);
    if (!this.settle(epoch)) return proven;
    const promoted = await this.o.producer.promoteProvingJobs(epoch);
    this.o.logger?.info({ epoch, promoted, blocksProven: proven.size }, 'claimed: prove-ahead jobs promoted');
    return proven;
  }

  /** The epoch went to another prover, or will not be claimed: its speculative jobs are cancelled. */
  async lost(epoch: number, why: string): Promise<void> {
    if (!this.settle(epoch)) return;
    const cancelled = await this.o.producer.cancelSpeculativeProvingJobs(epoch);
    this.o.logger?.info({ epoch, cancelled, why }, 'not ours: prove-ahead jobs cancelled');
  }

  stop(): void {
    for (const spec of this.epochs.values()) spec.ac.abort(new Error('prover node stopping'));
    this.epochs.clear();
  }

  /** Stops speculating on the epoch; whether there was speculative work for it. */
  private settle(epoch: number): boolean {
    const spec = this.epochs.get(epoch);
    spec?.ac.abort(new Error(`epoch ${epoch} settled`));
    this.epochs.delete(epoch);
    this.settled.add(epoch);
    if (this.settled.size > 256) this.settled.delete(Math.min(...this.settled));
    return spec !== undefined;
  }

  private epoch(epoch: number, firstBlock: number): SpeculativeEpoch {
    let spec = this.epochs.get(epoch);
    if (!spec) {
      const ac = new AbortController();
      const tracker = new ProvingJobTracker(this.o.producer, { pollMs: this.o.pollMs, signal: ac.signal, onSettled: this.o.onCircuitSettled });
      spec = { ac, tracker, blocks: new Map(), firstBlock };
      this.epochs.set(epoch, spec);
    }
    return spec;
  }
}
