// The prover node's Prometheus metrics. Gauges about running jobs are computed at scrape time.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { EpochProvingJob } from './epoch-proving-job.js';

export class ProverNodeMetrics {
  readonly currentEpoch: Gauge;
  readonly quotesSent: Counter;
  readonly quotesDeclined: Counter<'reason'>;
  readonly proofsPublished: Counter;
  readonly escrowDeposit: Gauge;
  readonly publisherBalance: Gauge;
  private readonly circuitSeconds: Histogram;
  private readonly circuitsReused: Counter;

  constructor(registry: Registry, jobs: () => Iterable<EpochProvingJob>) {
    const registers = [registry];
    this.currentEpoch = new Gauge({ name: 'quetzal_prover_node_current_epoch', help: 'Current L2 epoch on L1', registers });
    this.quotesSent = new Counter({ name: 'quetzal_prover_node_quotes_sent_total', help: 'Epoch proof quotes sent to the sequencer', registers });
    this.quotesDeclined = new Counter({ name: 'quetzal_prover_node_quotes_declined_total', help: 'Epochs the node did not bid on, by reason', labelNames: ['reason'], registers });
    this.proofsPublished = new Counter({ name: 'quetzal_prover_node_proofs_published_total', help: 'Epoch root proofs accepted on L1', registers });
    this.escrowDeposit = new Gauge({ name: 'quetzal_prover_node_escrow_deposit', help: 'Free escrow deposit (bond token units; may lose precision above 2^53)', registers });
    this.publisherBalance = new Gauge({ name: 'quetzal_prover_node_publisher_balance_eth', help: 'ETH balance of the publisher (pays for proof transactions)', registers });
    this.circuitSeconds = new Histogram({
      name: 'quetzal_prover_node_circuit_seconds',
      help: 'Time from enqueueing a circuit at the broker to its proof, by circuit',
      labelNames: ['circuit'],
      buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600],
      registers,
    });
    this.circuitsReused = new Counter({ name: 'quetzal_prover_node_circuits_reused_total', help: 'Circuits of a claimed epoch whose proof was made already (proven ahead of the claim, or kept by the broker across a restart)', labelNames: ['circuit'], registers });
    new Gauge({
      name: 'quetzal_prover_node_job_state',
      help: 'Epoch proving jobs by state (1 per job; the latest job of each epoch)',
      labelNames: ['epoch', 'state'],
      registers,
      collect() {
        this.reset();
        for (const job of latestPerEpoch(jobs())) this.set({ epoch: String(job.epochNumber), state: job.getState() }, 1);
      },
    });
    new Gauge({
      name: 'quetzal_prover_node_circuits',
      help: 'Circuits of running epoch jobs at the broker, by state (queued, proving, done)',
      labelNames: ['state'],
      registers,
      collect() {
        const sum = { queued: 0, proving: 0, done: 0 };
        for (const job of jobs()) {
          if (job.isDone()) continue;
          const c = job.getStatus().jobs;
          sum.queued += c.queued;
          sum.proving += c.proving;
          sum.done += c.done;
        }
        for (const [state, v] of Object.entries(sum)) this.set({ state }, v);
      },
    });
    new Gauge({
      name: 'quetzal_prover_node_deadline_seconds',
      help: 'Seconds left until the proof deadline, per running epoch job',
      labelNames: ['epoch'],
      registers,
      collect() {
        this.reset();
        for (const job of jobs()) {
          const d = job.getStatus().deadline;
          if (!job.isDone() && d !== undefined) this.set({ epoch: String(job.epochNumber) }, Math.max(0, (d - Date.now()) / 1000));
        }
      },
    });
  }

  circuitSettled(type: ProvingJobType, seconds: number, reused: boolean, ok: boolean): void {
    if (!ok) return;
    if (reused) this.circuitsReused.inc({ circuit: type });
    else this.circuitSeconds.observe({ circuit: type }, seconds);
  }
}

function latestPerEpoch(jobs: Iterable<EpochProvingJob>): EpochProvingJob[] {
  const m = new Map<number, EpochProvingJob>();
  for (const j of jobs) m.set(j.epochNumber, j);
  return [...m.values()];
}
