// Which agents the broker has heard from, for operators: an agent is only ever seen through its
// polls, heartbeats and reports, so that is all this records (in memory: a restart forgets it, and
// agents show up again on their next poll; a PostgreSQL replica knows the agents it served).
// The same record is the broker's capacity read: the agents alive now and the jobs they prove at once.
import type { ProvingBrokerStatus, ProvingCapacity, ProvingJobFilter, ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { ProvingTimeEstimator } from './estimates.js';

const HOUR_MS = 3_600_000;

type AgentJob = { id: string; type: ProvingJobType; epoch: number };

interface AgentRecord {
  lastSeenAt: number;
  /** Jobs it proves at once (its --prover-agent.count; 1 for an agent that does not say). */
  slots: number;
  /** Unix ms of its proofs in the last hour (oldest first). */
  proved: number[];
  jobs: Map<string, AgentJob>;
}

export class AgentActivity {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly agentOfJob = new Map<string, string>();
  /**
   * How recently an agent must have been seen to count as capacity. An agent busy with a proof
   * asks again when it reports it, so twice the job timeout (at least a minute) covers agents in
   * the middle of one.
   */
  private readonly capacityWindowMs: number;

  constructor(
    private readonly now: () => number,
    jobTimeoutMs: number,
  ) {
    this.capacityWindowMs = Math.max(60_000, 2 * jobTimeoutMs);
  }

  seen(agentId: string | undefined, slots?: number): void {
    if (!agentId) return;
    const record = this.agents.get(agentId);
    if (record) {
      record.lastSeenAt = this.now();
      if (slots !== undefined) record.slots = slots;
    } else this.agents.set(agentId, { lastSeenAt: this.now(), slots: slots ?? 1, proved: [], jobs: new Map() });
  }

  /** An agent asked for work (with a poll or with its last report). */
  polled(filter: ProvingJobFilter | null | undefined): void {
    this.seen(filter?.agentId, filter?.slots ?? 1);
  }

  /** The agent took `job`. */
  took(agentId: string | undefined, job: AgentJob): void {
    if (!agentId) return;
    this.seen(agentId);
    this.agents.get(agentId)!.jobs.set(job.id, job);
    this.agentOfJob.set(job.id, agentId);
  }

  /** A heartbeat for a job: its agent is alive. */
  heartbeat(jobId: string): void {
    this.seen(this.agentOfJob.get(jobId));
  }

  /** The job left its agent: proved, failed, given back, timed out or cancelled. */
  released(jobId: string, proved = false): void {
    const agentId = this.agentOfJob.get(jobId);
    if (agentId === undefined) return;
    this.agentOfJob.delete(jobId);
    this.seen(agentId);
    const record = this.agents.get(agentId)!;
    record.jobs.delete(jobId);
    if (proved) record.proved.push(this.now());
  }

  /** Agents seen in the last hour, most recent first, with the jobs they hold (`stillHeld` filters them); older ones are forgotten. */
  list(stillHeld: (jobId: string) => boolean = () => true): ProvingBrokerStatus['agents'] {
    const since = this.forgetSilent();
    const out: ProvingBrokerStatus['agents'] = [];
    for (const [id, r] of this.agents) {
      while (r.proved.length && r.proved[0]! < since) r.proved.shift();
      out.push({ id, lastSeenAt: r.lastSeenAt, jobs: [...r.jobs.values()].filter((j) => stillHeld(j.id)), provedLastHour: r.proved.length });
    }
    return out.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /** Ids of the jobs agents hold, as far as this process knows. */
  heldJobIds(): string[] {
    return [...this.agentOfJob.keys()];
  }

  /** The agents seen within the capacity window, their slots, and the proving times the broker has. */
  capacity(estimates: ProvingTimeEstimator): ProvingCapacity {
    this.forgetSilent();
    const since = this.now() - this.capacityWindowMs;
    let agents = 0;
    let slots = 0;
    for (const r of this.agents.values()) {
      if (r.lastSeenAt < since) continue;
      agents++;
      slots += r.slots;
    }
    const measured = estimates.averagesSnapshot();
    return { agents, slots, provingSeconds: { ...estimates.current(), ...measured }, measured: Object.keys(measured) as ProvingJobType[] };
  }

  /** Forgets the agents silent for an hour that hold no job; returns that hour's start. */
  private forgetSilent(): number {
    const since = this.now() - HOUR_MS;
    for (const [id, r] of this.agents) if (r.lastSeenAt < since && r.jobs.size === 0) this.agents.delete(id);
    return since;
  }
}
