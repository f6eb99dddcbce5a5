// `quetzal epoch replay`: proves a failed epoch's circuits again, each from the inputs recorded in
// its bundle, on a fresh in-process broker and agent (the same plugins `start` runs), and finds
// the first circuit that fails.
import type { FailedEpochBundle } from '@quetzal/prover-node';
import type { ProvingJobProducer, ProvingJobStatus, ProvingJobType } from '@quetzal/protocol/proving-jobs';

export interface ReplayOutcome {
  proved: number;
  total: number;
  /** The first job, in the order the epoch enqueued them, that failed again. */
  firstFailure?: { id: string; type: ProvingJobType; reason: string };
  /** The first failure the bundle recorded, for comparison. */
  recorded?: { id: string; type: ProvingJobType; reason: string };
}

export async function replayEpoch(bundle: FailedEpochBundle, producer: ProvingJobProducer, o: { timeoutMs: number; onProgress?: (settled: number, total: number) => void }): Promise<ReplayOutcome> {
  const jobs = bundle.jobs.map((j) => j.job);
  for (const job of jobs) await producer.enqueueProvingJob(job);
  const settled = new Map<string, ProvingJobStatus>();
  const until = Date.now() + o.timeoutMs;
  while (settled.size < jobs.length) {
    if (Date.now() > until) throw new Error(`${jobs.length - settled.size} of ${jobs.length} circuits did not settle within ${o.timeoutMs} ms (--timeout-ms)`);
    const pending = jobs.filter((j) => !settled.has(j.id)).map((j) => j.id);
    for (const id of await producer.waitForProvingJobs(pending, 5000)) {
      const status = await producer.getProvingJobStatus(id);
      if (status.status === 'fulfilled' || status.status === 'rejected') settled.set(id, status);
    }
    o.onProgress?.(settled.size, jobs.length);
  }
  const failure = (entries: Array<{ id: string; type: ProvingJobType; status: { status: string; reason?: string } }>) => {
    const hit = entries.find((e) => e.status.status === 'rejected');
    return hit && { id: hit.id, type: hit.type, reason: hit.status.reason ?? 'failed' };
  };
  return {
    proved: [...settled.values()].filter((s) => s.status === 'fulfilled').length,
    total: jobs.length,
    firstFailure: failure(jobs.map((j) => ({ id: j.id, type: j.type, status: settled.get(j.id)! }))),
    recorded: failure(bundle.jobs.map((j) => ({ id: j.job.id, type: j.job.type, status: j.status as { status: string; reason?: string } }))),
  };
}
