import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { Tokens } from '@quetzal/protocol/tokens';
import { SimulatedCircuitProver } from './simulated-prover.js';

/**
 * The CircuitProver every role that proves uses (prover agents; the tx bot for client proofs).
 * Not a role: it runs when an active role requires a CircuitProver.
 */
export const circuitProverPlugin = definePlugin({
  name: 'circuit-prover',
  description: 'How circuits are proved',
  options: {
    backend: option.enum(['simulated'], {
      description: 'simulated: witness generation only, with placeholder proofs (fast development; L1 must use the mock verifier)',
      env: 'PROVER_BACKEND',
      default: 'simulated',
    }),
  },
  provides: [Tokens.CircuitProver],
  async start(ctx) {
    const prover = new SimulatedCircuitProver();
    ctx.provide(Tokens.CircuitProver, prover);
    ctx.logger.info({ backend: ctx.config.backend }, 'circuit prover ready');
    return {};
  },
});
