// Which agents the broker has heard from, for operators: an agent is only ever seen through its
// polls, heartbeats and reports, so that is all this records (in memory: a restart forgets it, and
// agents show up again on their next poll).

const HOUR_MS = 3_600_000;

interface AgentRecord {
  lastSeenAt: number;
  /** Unix ms of its proofs in the last hour (oldest first). */
  proved: number[];
}

export interface AgentActivitySnapshot {
  id: string;
  lastSeenAt: number;
  provedLastHour: number;
}

export class AgentActivity {
  private readonly agents = new Map<string, AgentRecord>();

  constructor(private readonly now: () => number) {}

  seen(agentId: string | undefined): void {
    if (!agentId) return;
    const record = this.agents.get(agentId);
    if (record) record.lastSeenAt = this.now();
    else this.agents.set(agentId, { lastSeenAt: this.now(), proved: [] });
  }

  proved(agentId: string | undefined): void {
    if (!agentId) return;
    this.seen(agentId);
    this.agents.get(agentId)!.proved.push(this.now());
  }

  /** Agents seen in the last hour, most recent first; older ones are forgotten. */
  list(): AgentActivitySnapshot[] {
    const since = this.now() - HOUR_MS;
    const out: AgentActivitySnapshot[] = [];
    for (const [id, r] of this.agents) {
      if (r.lastSeenAt < since) {
        this.agents.delete(id);
        continue;
      }
      while (r.proved.length && r.proved[0]! < since) r.proved.shift();
      out.push({ id, lastSeenAt: r.lastSeenAt, provedLastHour: r.proved.length });
    }
    return out.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }
}
