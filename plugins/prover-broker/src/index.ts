// The prover-broker plugin's public entry: the broker, its databases and proof stores, its
// JSON-RPC server and client.
export { proverBrokerPlugin } from './plugin.js';
export { ProvingBroker, ProvingBrokerError, type ProvingBrokerOptions, type ProvingBrokerStats, type ProvingBrokerCounters, type BrokerLogger } from './broker.js';
export { MemoryBrokerDatabase, type ProvingBrokerDatabase, type StoredJob, type StoredResult } from './database.js';
export { LmdbBrokerDatabase, type LmdbBrokerDatabaseOptions } from './lmdb-database.js';
export { InlineProofStore, DirectoryProofStore, type ProofStore, type PayloadRef, type PayloadKind } from './proof-store.js';
export { createProvingBroker, type CreateProvingBrokerOptions } from './factory.js';
export { ProvingBrokerClient, registerProvingBrokerRpc, startProvingBrokerServer, DEFAULT_BROKER_MAX_BODY_BYTES, type ProvingBrokerClientOptions, type ProvingBrokerServerOptions } from './rpc.js';
