// An in-process proving stack for tests: the broker (in memory), agents running the simulated
// prover through the agents' prove function, and an event log of what reached the broker.
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { ProvingAgent } from '@quetzal/prover-agent';
import { createProvingBroker, type ProvingBrokerService } from '@quetzal/prover-broker';
import { proveEncoded } from '@quetzal/protocol/circuits/encoding';
import type { ProvingJob, ProvingJobProducer } from '@quetzal/protocol/proving-jobs';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface Stack {
  broker: ProvingBrokerService;
  /** The broker as the prover node sees it, recording every enqueue in `events`. */
  producer: ProvingJobProducer;
  events: string[];
  /** Every job the producer enqueued, in order. */
  enqueued: ProvingJob[];
  agents: ProvingAgent[];
  proved(): number;
  stop(): Promise<void>;
}

export async function startStack(opts: { agents?: number; concurrency?: number } = {}): Promise<Stack> {
  const broker = await createProvingBroker({ logger: quiet });
  const prover = new SimulatedCircuitProver();
  const events: string[] = [];
  const enqueued: ProvingJob[] = [];
  const producer: ProvingJobProducer = {
    enqueueProvingJob: (job: ProvingJob) => {
      events.push(`enqueue:${job.type}`);
      enqueued.push(job);
      return broker.enqueueProvingJob(job);
    },
    getProvingJobStatus: (id) => broker.getProvingJobStatus(id),
    cancelProvingJob: (id) => broker.cancelProvingJob(id),
    waitForProvingJobs: (ids, ms) => broker.waitForProvingJobs(ids, ms),
    cleanupEpochsBefore: (e) => broker.cleanupEpochsBefore(e),
    promoteProvingJobs: (e) => broker.promoteProvingJobs(e),
    cancelSpeculativeProvingJobs: (e) => broker.cancelSpeculativeProvingJobs(e),
    getProvingCapacity: () => broker.getProvingCapacity(),
  };
  const agents = Array.from(
    { length: opts.agents ?? 2 },
    () => new ProvingAgent({ consumer: broker, prove: (type, inputs, signal) => proveEncoded(prover, type, inputs, signal), concurrency: opts.concurrency ?? 1, pollIntervalMs: 10, logger: quiet }),
  );
  for (const a of agents) a.start();
  return {
    broker,
    producer,
    events,
    enqueued,
    agents,
    proved: () => agents.reduce((s, a) => s + a.stats().proved, 0),
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      await broker.stop();
      await prover.stop();
    },
  };
}
