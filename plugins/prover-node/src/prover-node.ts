// The prover node: watches L1 each poll for (1) the epoch that just ended, to bid on it with a
// signed quote sent to the sequencer; (2) claims naming us, over every epoch whose proof can still
// land (so a claim made while the node was down is found at start), to run their proving jobs;
// (3) running jobs whose blocks left the chain (prune, L1 reorg), to abort and recreate them.
import type { Address, PublicClient } from 'viem';
import { getAddress } from 'viem';
import type { L1TxSender, RollupConfigView, RollupContract } from '@quetzal/l1';
import type { Logger } from '@quetzal/kernel/logging';
import type { L2BlockSource } from '@quetzal/protocol/l2-block-source';
import type { EpochProvingJobStatus, ProverNodeStatus } from '@quetzal/protocol/prover-node-api';
import type { ProvingJobProducer } from '@quetzal/protocol/proving-jobs';
import { signEpochProofQuote, type SignedEpochProofQuote } from '@quetzal/protocol/quote';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import type { WorldStateSynchronizer } from '@quetzal/protocol/world-state';
import type { BondManager } from './bond-manager.js';
import { RecordingProducer, writeFailedEpochBundle } from './failed-epoch.js';
import { EpochProvingJob, type EpochProofPublisher, type EpochProvingKeys } from './epoch-proving-job.js';
import type { ProverNodeMetrics } from './metrics.js';
import type { RootCircuitChoice } from './orchestrator.js';
import type { QuoteProvider } from './quote-provider.js';

export interface QuoteSink {
  submitEpochProofQuote(quote: SignedEpochProofQuote): Promise<void>;
}

export interface ProverNodeOptions {
  client: PublicClient;
  rollup: RollupContract;
  chainId: number;
  sender: L1TxSender;
  blockSource: L2BlockSource;
  worldState: WorldStateSynchronizer;
  producer: ProvingJobProducer;
  txProvider: TxProvider;
  /** Where quotes go (the sequencer's node API); none: the node only proves claims made with quotes sent elsewhere. */
  quoteSink?: QuoteSink;
  quoteProvider: QuoteProvider;
  bondManager?: BondManager;
  publisher: EpochProofPublisher;
  keys: EpochProvingKeys;
  proverId: bigint;
  rootCircuit?: RootCircuitChoice;
  pollingIntervalMs: number;
  /** Wait before recreating a failed job of a still-active claim (default 10 s). */
  jobRetryDelayMs?: number;
  logger: Logger;
  metrics?: ProverNodeMetrics;
  /** Where a failed or timed-out epoch job writes what is needed to replay it (none: nothing is recorded). */
  failedEpochStore?: string;
}

/** Finished jobs are kept for JSON-RPC and metrics up to this many jobs in all. */
const MAX_KEPT_JOBS = 100;
const LIVE = new Set(['initialized', 'processing', 'awaiting-root', 'publishing']);

export class ProverNode {
  readonly address: Address;
  private readonly jobs: EpochProvingJob[] = [];
  private readonly quoted: number[] = [];
  /** Per epoch: the end archive root its running job proves (a different one on L1 means the epoch was reorged). */
  private readonly jobArchive = new Map<EpochProvingJob, bigint>();
  private config: RollupConfigView | undefined;
  private currentEpoch = 0;
  private escrowDeposit: bigint | undefined;
  private publisherBalance: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly o: ProverNodeOptions) {
    this.address = getAddress(o.sender.address);
  }

  async start(): Promise<void> {
    this.config = await this.o.rollup.getConfig();
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      this.ticking = this.tick().catch((err) => this.o.logger.warn({ err: (err as Error).message }, 'prover node poll failed; retrying'));
      await this.ticking;
      if (this.running) this.timer = setTimeout(loop, this.o.pollingIntervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all(this.jobs.filter((j) => !j.isDone()).map((j) => j.stop('stopped', 'prover node stopping')));
  }

  allJobs(): EpochProvingJob[] {
    return this.jobs;
  }

  getJobs(): EpochProvingJobStatus[] {
    return this.jobs.map((j) => j.getStatus());
  }

  getJob(id: string): EpochProvingJobStatus | undefined {
    return this.jobs.find((j) => j.id === id)?.getStatus();
  }

  getStatus(): ProverNodeStatus {
    return {
      address: this.address,
      currentEpoch: this.currentEpoch,
      quotedEpochs: [...this.quoted],
      ...(this.escrowDeposit !== undefined && { escrowDeposit: this.escrowDeposit.toString() }),
      ...(this.publisherBalance !== undefined && { publisherBalance: this.publisherBalance.toString() }),
    };
  }

  /** One poll: reorg checks, claims, bids. Exposed for tests. */
  async tick(): Promise<void> {
    const cfg = this.config!;
    const slot = await this.o.rollup.getCurrentSlot();
    const epoch = Number(slot / cfg.epochDuration);
    this.currentEpoch = epoch;
    this.o.metrics?.currentEpoch.set(epoch);
    this.publisherBalance = await this.o.client.getBalance({ address: this.address });
    this.o.metrics?.publisherBalance.set(Number(this.publisherBalance) / 1e18);
    await this.checkRunningJobs();
    // every epoch whose proof may still land: its deadline is PROOF_SUBMISSION_WINDOW slots into the next epoch
    const lookback = Number(cfg.proofSubmissionWindow / cfg.epochDuration) + 1;
    for (let e = Math.max(0, epoch - lookback); e < epoch; e++) await this.checkClaim(e);
    if (epoch > 0 && slot % cfg.epochDuration < cfg.claimWindow) await this.bid(epoch - 1, BigInt(epoch) * cfg.epochDuration + cfg.claimWindow - 1n);
  }

  private async bid(e: number, validUntilSlot: bigint): Promise<void> {
    if (!this.o.quoteSink || this.quoted.includes(e)) return;
    const range = await this.o.rollup.getEpochBlocks(e);
    if (!range || (await this.o.rollup.getClaim(e))) return;
    const txs = await this.o.blockSource.getTxHashesForEpoch(e).then((h) => h.length, () => 0);
    const terms = await this.o.quoteProvider.getQuote(e, { blocks: range.last - range.first + 1, txs });
    if (!terms) {
      this.o.logger.info({ epoch: e }, 'quote provider declined the epoch');
      this.quoted.push(e);
      return;
    }
    if (this.o.bondManager) {
      this.escrowDeposit = await this.o.bondManager.ensure();
      this.o.metrics?.escrowDeposit.set(Number(this.escrowDeposit));
      if (this.escrowDeposit < terms.bondAmount) {
        this.o.logger.warn({ epoch: e, deposit: this.escrowDeposit.toString(), bond: terms.bondAmount.toString() }, 'escrow deposit does not cover the bond; not bidding');
        return;
      }
    }
    const signed = await signEpochProofQuote(
      this.o.sender.account,
      { epochToProve: BigInt(e), validUntilSlot, bondAmount: terms.bondAmount, prover: this.address, basisPointFee: terms.basisPointFee },
      { chainId: this.o.chainId, rollup: this.o.rollup.address },
    );
    await this.o.quoteSink.submitEpochProofQuote(signed);
    this.quoted.push(e);
    if (this.quoted.length > 64) this.quoted.shift();
    this.o.metrics?.quotesSent.inc();
    this.o.logger.info({ epoch: e, basisPointFee: terms.basisPointFee, bondAmount: terms.bondAmount.toString(), validUntilSlot: validUntilSlot.toString() }, 'quote sent');
  }

  private async checkClaim(e: number): Promise<void> {
    const latest = this.latestJob(e);
    if (latest && LIVE.has(latest.getState())) return;
    // a completed job's epoch is proven unless an L1 reorg dropped the proof: then the claim is active again
    const claim = await this.o.rollup.getClaim(e);
    if (!claim || claim.status !== 'active' || getAddress(claim.prover) !== this.address) return;
    const finished = latest?.getStatus().finishedAt;
    const retryNow = latest?.getState() === 'reorged' || latest?.getState() === 'completed';
    if (latest && finished !== undefined && !retryNow && Date.now() - finished < (this.o.jobRetryDelayMs ?? 10_000)) return;
    const range = await this.o.rollup.getEpochBlocks(e);
    if (!range) return;
    if ((await this.o.blockSource.getBlockNumber()) < range.last) {
      this.o.logger.debug({ epoch: e, last: range.last }, 'claimed epoch: waiting for the archiver to reach its last block');
      return;
    }
    const [deadlineTs, l1Block, endArchive] = await Promise.all([
      this.o.rollup.getProofDeadlineSlot(e).then((s) => this.o.rollup.timestampOfSlot(s)),
      this.o.client.getBlock(),
      this.o.rollup.getBlock(range.last).then((b) => b.archive),
    ]);
    // L1 time may run ahead of the wall clock (anvil warps): the deadline is the L1 time left from now
    const deadline = Date.now() + Number(deadlineTs - l1Block.timestamp) * 1000;
    if (deadline <= Date.now()) return;
    const recorder = this.o.failedEpochStore ? new RecordingProducer(this.o.producer) : undefined;
    const job = new EpochProvingJob({
      epochNumber: e,
      fromBlock: range.first,
      toBlock: range.last,
      blockSource: this.o.blockSource,
      worldState: this.o.worldState,
      txProvider: this.o.txProvider,
      producer: recorder ?? this.o.producer,
      keys: this.o.keys,
      proverId: this.o.proverId,
      rootCircuit: this.o.rootCircuit,
      publisher: this.o.publisher,
      deadline,
      logger: this.o.logger,
      onCircuitSettled: (type, seconds, reused, ok) => this.o.metrics?.circuitSettled(type, seconds, reused, ok),
    });
    this.jobs.push(job);
    const oldDone = this.jobs.findIndex((j) => j.isDone());
    if (this.jobs.length > MAX_KEPT_JOBS && oldDone >= 0) this.jobs.splice(oldDone, 1);
    this.jobArchive.set(job, endArchive);
    this.o.logger.info({ epoch: e, fromBlock: range.first, toBlock: range.last, job: job.id, secondsToDeadline: Math.round((deadline - Date.now()) / 1000) }, 'claim names us: proving the epoch');
    void job.run().then(async (state) => {
      this.jobArchive.delete(job);
      if ((state === 'failed' || state === 'timed-out') && recorder) await this.saveFailedEpoch(job, recorder);
      if (state !== 'completed') return;
      this.o.metrics?.proofsPublished.inc();
      // results of older epochs are no longer needed (this epoch's stay until the next one is proven)
      await this.o.producer.cleanupEpochsBefore(e).catch((err) => this.o.logger.warn({ err: (err as Error).message }, 'broker cleanup failed'));
    });
  }

  /** Aborts jobs whose epoch was pruned or reorged; the next claim check recreates them if the claim still stands. */
  private async checkRunningJobs(): Promise<void> {
    for (const [job, endArchive] of this.jobArchive) {
      if (job.isDone()) continue;
      const epoch = job.epochNumber;
      const [claim, range] = await Promise.all([this.o.rollup.getClaim(epoch), this.o.rollup.getEpochBlocks(epoch)]);
      const { fromBlock, toBlock } = job.getStatus();
      let reason: string | undefined;
      if (claim?.status === 'proven') {
        // proven meanwhile (e.g. by this node's previous run, killed after it sent the proof)
        this.o.logger.info({ epoch: job.epochNumber, job: job.id }, 'epoch already proven on L1: stopping its job');
        await job.stop('stopped', `epoch ${epoch} was proven on L1 by another submission`);
        continue;
      }
      if (!claim || claim.status !== 'active') reason = `the claim of epoch ${epoch} is ${claim?.status ?? 'gone'} (pruned or reorged)`;
      else if (!range || Number(range.first) !== fromBlock || Number(range.last) !== toBlock) reason = `epoch ${epoch} now spans blocks ${range ? `${range.first}..${range.last}` : 'none'}, the job proves ${fromBlock}..${toBlock}`;
      else if ((await this.o.rollup.getBlock(range.last)).archive !== endArchive) reason = `block ${toBlock} on L1 changed (reorg)`;
      if (reason) {
        this.o.logger.warn({ epoch: job.epochNumber, job: job.id, reason }, 'epoch changed under its proving job: aborting it');
        await job.stop('reorged', reason);
      }
    }
  }

  private async saveFailedEpoch(job: EpochProvingJob, recorder: RecordingProducer): Promise<void> {
    try {
      const file = await writeFailedEpochBundle({ dir: this.o.failedEpochStore!, job, recorder, blockSource: this.o.blockSource, txProvider: this.o.txProvider });
      this.o.logger.warn({ epoch: job.epochNumber, job: job.id, bundle: file }, 'failed epoch saved: replay it with `quetzal epoch replay`');
    } catch (err) {
      this.o.logger.error({ epoch: job.epochNumber, job: job.id, err: (err as Error).message }, 'could not save the failed epoch');
    }
  }

  private latestJob(epoch: number): EpochProvingJob | undefined {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.jobs[i]!.epochNumber === epoch) return this.jobs[i];
    return undefined;
  }
}
