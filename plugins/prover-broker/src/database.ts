/**
 * The broker's persistence, behind one interface with a memory and an LMDB implementation. Writes
 * resolve once durable; reads are synchronous (the LMDB one reads the memory map directly).
 */
import type { ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { PayloadRef } from './proof-store.js';

export interface StoredJob {
  id: string;
  type: ProvingJobType;
  epoch: number;
  /** Enqueue order, for FIFO within equal priority, kept across restarts. */
  seq: number;
  inputs: PayloadRef;
  speculative?: boolean;
  pathToRoot?: readonly ProvingJobType[];
}

export type StoredResult = { status: 'fulfilled'; value: PayloadRef } | { status: 'rejected'; reason: string };

export interface ProvingBrokerDatabase {
  /** Adds jobs in one write (one transaction). */
  addJobs(jobs: readonly StoredJob[]): Promise<void>;
  setResult(id: string, result: StoredResult): Promise<void>;
  getJob(id: string): StoredJob | undefined;
  getResult(id: string): StoredResult | undefined;
  /** Removes jobs and their results. */
  deleteJobs(ids: readonly string[]): Promise<void>;
  /**
   * Records which lease holds a job (undefined: none), so that after a restart only that agent
   * may adopt its job back. Not awaited: losing the latest record in a crash only means the job
   * is proved again by whoever takes it next.
   */
  setLease(id: string, lease: string | undefined): void;
  getLease(id: string): string | undefined;
  /** Every stored job with its result, for the broker's start. */
  entries(): Iterable<{ job: StoredJob; result: StoredResult | undefined }>;
  close(): Promise<void>;
}

/** Nothing survives the process: for tests and throwaway brokers. */
export class MemoryBrokerDatabase implements ProvingBrokerDatabase {
  private readonly jobs = new Map<string, StoredJob>();
  private readonly results = new Map<string, StoredResult>();
  private readonly leases = new Map<string, string>();

  setLease(id: string, lease: string | undefined): void {
    if (lease === undefined) this.leases.delete(id);
    else if (this.jobs.has(id)) this.leases.set(id, lease);
  }

  getLease(id: string): string | undefined {
    return this.leases.get(id);
  }

  addJobs(jobs: readonly StoredJob[]): Promise<void> {
    for (const job of jobs) this.jobs.set(job.id, { id: job.id, type: job.type, epoch: job.epoch, seq: job.seq, inputs: job.inputs, speculative: job.speculative, pathToRoot: job.pathToRoot });
    return Promise.resolve();
  }

  setResult(id: string, result: StoredResult): Promise<void> {
    if (this.jobs.has(id)) this.results.set(id, result);
    return Promise.resolve();
  }

  getJob(id: string): StoredJob | undefined {
    return this.jobs.get(id);
  }

  getResult(id: string): StoredResult | undefined {
    return this.results.get(id);
  }

  deleteJobs(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.jobs.delete(id);
      this.results.delete(id);
      this.leases.delete(id);
    }
    return Promise.resolve();
  }

  *entries(): Iterable<{ job: StoredJob; result: StoredResult | undefined }> {
    for (const job of this.jobs.values()) yield { job, result: this.results.get(job.id) };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
