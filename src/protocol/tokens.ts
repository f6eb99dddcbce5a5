import { defineToken } from '@quetzal/kernel/tokens';
import type { VerifierChoice } from '@quetzal/l1';
import type { CircuitProver } from './circuit-prover.js';
import type { L1Connection } from './l1-connection.js';
import type { L2BlockSource } from './l2-block-source.js';
import type { NodeApi } from './node-api.js';
import type { P2PService } from './p2p.js';
import type { ProvingJobConsumer, ProvingJobProducer } from './proving-jobs.js';
import type { TxPool } from './tx-pool.js';
import type { TxProofVerifier } from './tx-proof-verifier.js';
import type { WorldStateSynchronizer } from './world-state.js';

/**
 * The DI tokens roles meet through. A token resolves to the same interface whether its provider
 * runs in this process or is a JSON-RPC client of another process.
 */
export const Tokens = {
  L2BlockSource: defineToken<L2BlockSource>('L2BlockSource', 'run --archiver in this process, or point at a remote archiver with --archiver.url'),
  WorldStateSynchronizer: defineToken<WorldStateSynchronizer>('WorldStateSynchronizer', 'the world-state plugin provides it; it needs an L2 block source'),
  ProvingJobProducer: defineToken<ProvingJobProducer>('ProvingJobProducer', 'run --prover-broker in this process, or point at a remote broker with --prover-node.broker-url'),
  CircuitProver: defineToken<CircuitProver>('CircuitProver', 'the circuit-prover plugin provides it (--circuit-prover.backend simulated|native)'),
  /** The L1 verifier that accepts this process's root proofs (the mock under simulated proofs). */
  RootVerifier: defineToken<() => Promise<VerifierChoice>>('RootVerifier', 'the circuit-prover plugin provides it'),
  /** Checks client (tx) proofs off-chain, for the proving backend and CRS in use. */
  TxProofVerifier: defineToken<TxProofVerifier>('TxProofVerifier', 'the circuit-prover plugin provides it (--circuit-prover.backend simulated|native)'),
  ProvingJobConsumer: defineToken<ProvingJobConsumer>('ProvingJobConsumer', 'run --prover-broker in this process, or point at a remote broker with --prover-agent.broker-url'),
  L1: defineToken<L1Connection>('L1', 'start a local L1 with --local-network, or give --l1.rpc-urls and --l1.deployment'),
  Node: defineToken<NodeApi>('Node', 'run --sequencer in this process, or point at a node with --bot.node-url'),
  TxPool: defineToken<TxPool>('TxPool', 'the tx-pool plugin (in the sequencer package) provides it'),
  P2P: defineToken<P2PService>('P2P', 'the p2p plugin provides it (peers only with --p2p.enabled)'),
};
