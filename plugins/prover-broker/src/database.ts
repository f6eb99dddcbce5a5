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
  /** Ids of the broker instances that used this database (oldest first). */
  getInstances(): string[];
  /** Records the id of a starting broker instance, keeping the last `keep`. */
  addInstance(id: string, keep: number): Promise<void>;
  /** Every stored job with its result, for the broker's start. */
  entries(): Iterable<{ job: StoredJob; result: StoredResult | undefined }>;
  close(): Promise<void>;
}

/** Nothing survives the process: for tests and throwaway brokers. */
export class MemoryBrokerDatabase implements ProvingBrokerDatabase {
  private readonly jobs = new Map<string, StoredJob>();
  private readonly results = new Map<string, StoredResult>();
  private instances: string[] = [];

  getInstances(): string[] {
    return [...this.instances];
  }

  addInstance(id: string, keep: number): Promise<void> {
    this.instances = [...this.instances, id].slice(-keep);
    return Promise.resolve();
  }

  addJobs(jobs: readonly StoredJob[]): Promise<void> {
    for (const { id, type, epoch, seq, inputs } of jobs) this.jobs.set(id, { id, type, epoch, seq, inputs });
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
