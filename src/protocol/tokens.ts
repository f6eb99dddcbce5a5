import { defineToken } from '@quetzal/kernel/tokens';
import type { CircuitProver } from './circuit-prover.js';
import type { L2BlockSource } from './l2-block-source.js';
import type { ProvingJobConsumer, ProvingJobProducer } from './proving-jobs.js';
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
  ProvingJobConsumer: defineToken<ProvingJobConsumer>('ProvingJobConsumer', 'run --prover-broker in this process, or point at a remote broker with --prover-agent.broker-url'),
};
