// Which agents the broker has heard from, for operators: an agent is only ever seen through its
// polls, heartbeats and reports, so that is all this records (in memory: a restart forgets it, and
// agents show up again on their next poll; a PostgreSQL replica knows the agents it served).
import type { ProvingBrokerStatus, ProvingJobType } from '@quetzal/protocol/proving-jobs';

const HOUR_MS = 3_600_000;

type AgentJob = { id: string; type: ProvingJobType; epoch: number };

interface AgentRecord {
  lastSeenAt: number;
  /** Unix ms of its proofs in the last hour (oldest first). */
  proved: number[];
  jobs: Map<string, AgentJob>;
}

export class AgentActivity {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly agentOfJob = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  seen(agentId: string | undefined): void {
    if (!agentId) return;
    const record = this.agents.get(agentId);
    if (record) record.lastSeenAt = this.now();
    else this.agents.set(agentId, { lastSeenAt: this.now(), proved: [], jobs: new Map() });
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
    const since = this.now() - HOUR_MS;
    const out: ProvingBrokerStatus['agents'] = [];
    for (const [id, r] of this.agents) {
      if (r.lastSeenAt < since && r.jobs.size === 0) {
        this.agents.delete(id);
        continue;
      }
      while (r.proved.length && r.proved[0]! < since) r.proved.shift();
      out.push({ id, lastSeenAt: r.lastSeenAt, jobs: [...r.jobs.values()].filter((j) => stillHeld(j.id)), provedLastHour: r.proved.length });
    }
    return out.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /** Ids of the jobs agents hold, as far as this process knows. */
  heldJobIds(): string[] {
    return [...this.agentOfJob.keys()];
  }
}
