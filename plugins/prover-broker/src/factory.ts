import { join } from 'node:path';
import { ProvingBroker } from './broker.js';
import { MemoryBrokerDatabase } from './database.js';
import { LmdbBrokerDatabase } from './lmdb-database.js';
import { PostgresProvingBroker } from './postgres-broker.js';
import { DirectoryProofStore, InlineProofStore, type ProofStore } from './proof-store.js';
import { S3ProofStore } from './s3-proof-store.js';
import type { ProvingBrokerCommonOptions, ProvingBrokerService } from './service.js';

/** The broker's LMDB file under its data directory. */
export const BROKER_DB_NAME = 'broker-db';

export interface CreateProvingBrokerOptions extends Omit<ProvingBrokerCommonOptions, 'proofStore'> {
  /** Where jobs and proofs persist (LMDB in `<dir>/broker-db`, large payloads in `<dir>/proofs`); none keeps everything in memory. */
  dataDirectory?: string;
  /** `postgres://...`: the queue lives in PostgreSQL, shared by every broker on that database (instead of LMDB). */
  database?: string;
  /** Connections per broker to PostgreSQL (default 16). */
  databasePoolSize?: number;
  /**
   * Where inputs and proofs above the inline size go: `inline` (in the database), `directory`
   * (`<dataDirectory>/proofs`, the default with LMDB), `file:///abs/path`, or `s3://bucket/prefix`
   * (endpoint, region, path style and credentials from the AWS environment variables).
   */
  proofStore?: string;
  /** Payloads above this size go to the proof store (default 16 KiB). */
  inlineThresholdBytes?: number;
  /** 'flushed' (default): acknowledge after fsync; 'committed': after the commit. */
  durability?: 'flushed' | 'committed';
}

/** Builds the proof store a `--prover-broker.proof-store` value names; clear errors for bad ones. */
export function createProofStore(spec: string, options: { dataDirectory?: string; inlineThresholdBytes?: number; fsync?: boolean }): ProofStore {
  if (spec === 'inline') return new InlineProofStore();
  if (spec === 'directory') {
    if (!options.dataDirectory) throw new Error('--prover-broker.proof-store directory needs a data directory (--data-dir); or use file:///path, s3://bucket/prefix or inline');
    return new DirectoryProofStore({ directory: join(options.dataDirectory, 'proofs'), inlineThresholdBytes: options.inlineThresholdBytes, fsync: options.fsync });
  }
  if (spec.startsWith('file://')) return new DirectoryProofStore({ directory: new URL(spec).pathname, inlineThresholdBytes: options.inlineThresholdBytes, fsync: options.fsync });
  if (spec.startsWith('s3://')) return S3ProofStore.fromUri(spec, { inlineThresholdBytes: options.inlineThresholdBytes });
  throw new Error(`--prover-broker.proof-store "${spec}": use inline, directory, file:///absolute/path or s3://bucket/prefix`);
}

/** A started broker: on PostgreSQL with `database`, else on LMDB when `dataDirectory` is set, else in memory. */
export async function createProvingBroker(options: CreateProvingBrokerOptions = {}): Promise<ProvingBrokerService> {
  const { dataDirectory, database, databasePoolSize, proofStore, inlineThresholdBytes, durability, ...rest } = options;
  const fsync = durability !== 'committed';
  let broker: ProvingBrokerService;
  if (database) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new Error('--prover-broker.database: use a postgres://user:password@host:port/database URL (LMDB in the data directory is the default)');
    const store = createProofStore(proofStore ?? 'inline', { dataDirectory, inlineThresholdBytes, fsync });
    broker = new PostgresProvingBroker({ ...rest, connectionString: database, poolSize: databasePoolSize, proofStore: store });
  } else if (dataDirectory) {
    const store = createProofStore(proofStore ?? 'directory', { dataDirectory, inlineThresholdBytes, fsync });
    broker = new ProvingBroker({ ...rest, database: new LmdbBrokerDatabase({ path: join(dataDirectory, BROKER_DB_NAME), durability }), proofStore: store });
  } else {
    broker = new ProvingBroker({ ...rest, database: new MemoryBrokerDatabase(), proofStore: proofStore ? createProofStore(proofStore, { inlineThresholdBytes }) : new InlineProofStore() });
  }
  await broker.start();
  return broker;
}
