import { open, type Database, type RootDatabase } from 'lmdb';
import { closeStore } from '@quetzal/kernel/storage';
import { isProvingJobType, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import type { ProvingBrokerDatabase, StoredJob, StoredResult } from './database.js';
import type { PayloadRef } from './proof-store.js';

export interface LmdbBrokerDatabaseOptions {
  /** Directory of the LMDB environment. */
  path: string;
  /** Largest size of the database, in bytes (default 16 GiB; space is only used as needed). */
  mapSize?: number;
  /**
   * When writes are acknowledged: 'flushed' (default) waits until the commit is fsynced to disk;
   * 'committed' only until it is committed (survives a process crash, not a power loss).
   */
  durability?: 'flushed' | 'committed';
}

// Records are msgpack arrays (compact, no field names):
//   jobs:    id -> [version, type, epoch, seq, inputs, speculative (0/1), pathToRoot]  (version 1: the first five)
//   results: id -> [version, 1, value] | [version, 0, reason]
const VERSION = 2;
type JobRecord = [number, string, number, number, PayloadRef, number?, string[]?];
type ResultRecord = [number, 1, PayloadRef] | [number, 0, string];

/**
 * LMDB through lmdb-js: writes issued in the same event-loop turn share one transaction (lmdb-js
 * batches them), so many concurrent enqueues and reports cost one commit and one fsync.
 */
/** LMDB map size of the broker's database. */
export const BROKER_MAP_SIZE = 16 * 2 ** 30;

export class LmdbBrokerDatabase implements ProvingBrokerDatabase {
  private readonly root: RootDatabase;
  private readonly jobs: Database<JobRecord, string>;
  private readonly results: Database<ResultRecord, string>;
  private readonly leases: Database<string, string>;

  constructor(private readonly options: LmdbBrokerDatabaseOptions) {
    const durability = options.durability ?? 'flushed';
    this.root = open({
      path: options.path,
      mapSize: options.mapSize ?? BROKER_MAP_SIZE,
      compression: false,
      // 'flushed': plain LMDB commits, each fdatasync'ed before the write resolves (measured as fast
      // as, or faster than, overlapping commits followed by a wait for their flush).
      // 'committed': overlapping commits, acknowledged before their flush.
      overlappingSync: durability === 'committed',
      maxDbs: 4,
    });
    this.jobs = this.root.openDB<JobRecord, string>({ name: 'jobs' });
    this.results = this.root.openDB<ResultRecord, string>({ name: 'results' });
    this.leases = this.root.openDB<string, string>({ name: 'leases' });
  }

  /** Resolves once the write is committed (and, under 'flushed', fdatasync'ed: see the constructor). */
  private durable(write: Promise<unknown>): Promise<void> {
    return write.then(noop);
  }

  addJobs(jobs: readonly StoredJob[]): Promise<void> {
    return this.durable(
      this.root.transaction(() => {
        for (const job of jobs) this.jobs.put(job.id, [VERSION, job.type, job.epoch, job.seq, job.inputs, job.speculative ? 1 : 0, [...(job.pathToRoot ?? [])]]);
        return true;
      }),
    );
  }

  setResult(id: string, result: StoredResult): Promise<void> {
    const record: ResultRecord = result.status === 'fulfilled' ? [VERSION, 1, result.value] : [VERSION, 0, result.reason];
    return this.durable(this.results.put(id, record));
  }

  setLease(id: string, lease: string | undefined): void {
    // batched into the next commit with the other writes; nobody waits for it
    (lease === undefined ? this.leases.remove(id) : this.leases.put(id, lease)).catch(noop);
  }

  getLease(id: string): string | undefined {
    return this.leases.get(id);
  }

  getJob(id: string): StoredJob | undefined {
    const record = this.jobs.get(id);
    return record ? toJob(id, record) : undefined;
  }

  getResult(id: string): StoredResult | undefined {
    const record = this.results.get(id);
    return record ? toResult(record) : undefined;
  }

  async deleteJobs(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const writes: Promise<boolean>[] = [];
    for (const id of ids) {
      writes.push(this.jobs.remove(id), this.results.remove(id), this.leases.remove(id));
    }
    await Promise.all(writes);
  }

  *entries(): Iterable<{ job: StoredJob; result: StoredResult | undefined }> {
    for (const { key, value } of this.jobs.getRange()) {
      const job = toJob(key, value);
      if (!job) continue;
      yield { job, result: this.getResult(key) };
    }
  }

  async close(): Promise<void> {
    await closeStore(this.root, this.options.path);
  }
}

function noop(): void {}

function toJob(id: string, record: JobRecord): StoredJob | undefined {
  const [, type, epoch, seq, inputs, speculative, path] = record;
  if (!isProvingJobType(type)) return undefined;
  const pathToRoot = path?.filter(isProvingJobType);
  return { id, type: type as ProvingJobType, epoch, seq, inputs: normalizeRef(inputs), speculative: speculative === 1, pathToRoot: pathToRoot?.length ? pathToRoot : undefined };
}

function toResult(record: ResultRecord): StoredResult {
  return record[1] === 1 ? { status: 'fulfilled', value: normalizeRef(record[2]) } : { status: 'rejected', reason: record[2] };
}

function normalizeRef(ref: PayloadRef): PayloadRef {
  // msgpack may hand back Buffers over a shared read buffer: copy into a plain Uint8Array
  return typeof ref === 'string' ? ref : new Uint8Array(ref);
}
