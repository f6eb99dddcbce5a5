/**
 * The PostgreSQL broker's schema, versioned: each migration runs once, in order, in one
 * transaction, under an advisory lock so that replicas starting together do not race.
 */
import type { Pool } from 'pg';

/** Arbitrary key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x51_75_65_74; // "Quet"

export const MIGRATIONS: readonly string[] = [
  // 1: jobs (queue, leases, results), measured proving times
  `CREATE TABLE proving_jobs (
     id text PRIMARY KEY,
     type text NOT NULL,
     epoch bigint NOT NULL,
     seq bigserial NOT NULL,
     speculative boolean NOT NULL DEFAULT false,
     path_to_root text[] NOT NULL DEFAULT '{}',
     priority double precision NOT NULL,
     state smallint NOT NULL DEFAULT 0,
     inputs bytea,
     inputs_ref text,
     result bytea,
     result_ref text,
     reason text,
     lease text,
     agent_id text,
     heartbeat_at bigint,
     taken_at bigint,
     attempts integer NOT NULL DEFAULT 0
   );
   CREATE INDEX proving_jobs_queue ON proving_jobs (epoch, speculative, priority DESC, seq) WHERE state = 0;
   CREATE INDEX proving_jobs_epoch ON proving_jobs (epoch);
   CREATE INDEX proving_jobs_leased ON proving_jobs (heartbeat_at) WHERE state = 1;
   CREATE TABLE proving_time_estimates (type text PRIMARY KEY, seconds double precision NOT NULL);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer version. */
export async function migrate(pool: Pool): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS quetzal_broker_schema (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM quetzal_broker_schema')).rows[0];
    const from = row?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new Error(`the broker database has schema version ${from}, newer than this broker's ${SCHEMA_VERSION}: upgrade the broker`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (row) await client.query('UPDATE quetzal_broker_schema SET version = $1', [SCHEMA_VERSION]);
    else await client.query('INSERT INTO quetzal_broker_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
    await client.query('COMMIT');
    return { from, to: SCHEMA_VERSION };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
