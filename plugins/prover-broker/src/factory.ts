import { join } from 'node:path';
import { ProvingBroker, type ProvingBrokerOptions } from './broker.js';
import { MemoryBrokerDatabase } from './database.js';
import { LmdbBrokerDatabase } from './lmdb-database.js';
import { DirectoryProofStore, InlineProofStore } from './proof-store.js';

/** The broker's LMDB file under its data directory. */
export const BROKER_DB_NAME = 'broker-db';

export interface CreateProvingBrokerOptions extends Omit<ProvingBrokerOptions, 'database' | 'proofStore'> {
  /** Where jobs and proofs persist (LMDB in `<dir>/broker-db`, large payloads in `<dir>/proofs`); none keeps everything in memory. */
  dataDirectory?: string;
  /** Payloads above this size go to files when persisted (default 16 KiB). */
  inlineThresholdBytes?: number;
  /** 'flushed' (default): acknowledge after fsync; 'committed': after the commit. */
  durability?: 'flushed' | 'committed';
}

/** A started broker: persisted when `dataDirectory` is set, in memory otherwise. */
export async function createProvingBroker(options: CreateProvingBrokerOptions = {}): Promise<ProvingBroker> {
  const { dataDirectory, inlineThresholdBytes, durability, ...rest } = options;
  const broker = dataDirectory
    ? new ProvingBroker({
        ...rest,
        database: new LmdbBrokerDatabase({ path: join(dataDirectory, BROKER_DB_NAME), durability }),
        proofStore: new DirectoryProofStore({ directory: join(dataDirectory, 'proofs'), inlineThresholdBytes, fsync: durability !== 'committed' }),
      })
    : new ProvingBroker({ ...rest, database: new MemoryBrokerDatabase(), proofStore: new InlineProofStore() });
  await broker.start();
  return broker;
}
