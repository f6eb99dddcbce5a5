// The prover-broker plugin's public entry: the brokers (embedded on memory/LMDB, and on PostgreSQL),
// their databases and proof stores, their JSON-RPC server. The client is
// @quetzal/protocol/proving-broker-client.
export { proverBrokerPlugin } from './plugin.js';
export { ProvingBroker, type ProvingBrokerOptions } from './broker.js';
export {
  ProvingBrokerError,
  type ProvingBrokerService,
  type ProvingBrokerCommonOptions,
  type ProvingBrokerStats,
  type ProvingBrokerCounters,
  type BrokerLogger,
} from './service.js';
export { PostgresProvingBroker, type PostgresProvingBrokerOptions } from './postgres-broker.js';
export { MemoryBrokerDatabase, type ProvingBrokerDatabase, type StoredJob, type StoredResult } from './database.js';
export { LmdbBrokerDatabase, type LmdbBrokerDatabaseOptions } from './lmdb-database.js';
export { InlineProofStore, DirectoryProofStore, type ProofStore, type PayloadRef, type PayloadKind } from './proof-store.js';
export { S3ProofStore } from './s3-proof-store.js';
export { createProvingBroker, createProofStore, type CreateProvingBrokerOptions } from './factory.js';
export { registerProvingBrokerRpc, startProvingBrokerServer, DEFAULT_BROKER_MAX_BODY_BYTES, type ProvingBrokerServerOptions } from './rpc.js';
export { brokerChecks, remoteBrokerChecks, AGENT_SEEN_WITHIN_MS, type BrokerTarget } from './checks.js';
