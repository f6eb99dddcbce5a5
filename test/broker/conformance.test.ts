// One conformance suite for broker semantics, run against every implementation: the embedded
// broker in memory and on LMDB (+ directory proof store), and the PostgreSQL broker (a throwaway
// cluster, or the server .ci/run starts: see test/helpers/postgres.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { DirectoryProofStore, LmdbBrokerDatabase, MemoryBrokerDatabase, PostgresProvingBroker, ProvingBroker, type ProvingBrokerCommonOptions } from '@quetzal/prover-broker';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { brokerConformance, brokerProperties } from './conformance.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'quetzal-broker-conformance-'));
  dirs.push(d);
  return d;
}

// every broker a test opens is stopped after it, even when the test fails (an open LMDB or
// PostgreSQL connection would keep the test process alive)
const opened = new Set<{ stop(): Promise<void> }>();
afterEach(async () => {
  await Promise.allSettled([...opened].map((b) => b.stop()));
  opened.clear();
});

async function started<B extends { start(): Promise<void>; stop(): Promise<void> }>(broker: B): Promise<B> {
  opened.add(broker);
  await broker.start();
  return broker;
}

describe('broker conformance: memory', () => {
  brokerConformance((options = {}) => started(new ProvingBroker({ database: new MemoryBrokerDatabase(), logger, ...options })));
  brokerProperties(
    { persistent: false, fresh: async () => {}, open: (o) => started(new ProvingBroker({ database: new MemoryBrokerDatabase(), logger, ...o })), close: async () => {} },
    40,
  );
});

function lmdb(dir: string, options: Partial<ProvingBrokerCommonOptions>) {
  return new ProvingBroker({
    database: new LmdbBrokerDatabase({ path: join(dir, 'db') }),
    proofStore: new DirectoryProofStore({ directory: join(dir, 'proofs'), inlineThresholdBytes: 32 }),
    logger,
    ...options,
  });
}

describe('broker conformance: LMDB', () => {
  brokerConformance(async (options = {}) => started(lmdb(await tempDir(), options)));
  let dir = '';
  brokerProperties({ persistent: true, fresh: async () => void (dir = await tempDir()), open: (o) => started(lmdb(dir, o)), close: async () => {} }, 40);
});

describe('broker conformance: PostgreSQL', () => {
  let db: TestPostgres;
  before(async () => {
    db = await startPostgres();
  });
  after(() => db?.stop());
  const empty = async () => {
    // the schema exists once a broker started; an empty queue is a truncated one
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('TRUNCATE proving_jobs, proving_time_estimates').catch((err: { code?: string }) => {
        if (err.code !== '42P01') throw err; // no table yet
      });
    } finally {
      await c.end();
    }
  };
  const open = (options: Partial<ProvingBrokerCommonOptions>) => started(new PostgresProvingBroker({ connectionString: db.url, poolSize: 4, logger, ...options }));
  brokerConformance(async (options = {}) => {
    await empty();
    return open(options);
  });
  brokerProperties({ persistent: true, fresh: empty, open, close: async () => {} }, 15);
});
