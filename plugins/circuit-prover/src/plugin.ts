import { join } from 'node:path';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { Tokens } from '@quetzal/protocol/tokens';
import type { CircuitProver } from '@quetzal/protocol/circuit-prover';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import { SimulatedCircuitProver } from './simulated-prover.js';
import { circuitProverChecks } from './checks.js';
import { createNativeProver } from './native-prover.js';
import { crsG2 } from './crs/crs-manager.js';
import { buildHonkVerifier, verifierChoice } from './solidity-verifier.js';
import { NativeTxProofVerifier, SimulatedTxProofVerifier } from './tx-proof-verifier.js';

/**
 * The CircuitProver every role that proves or checks proofs uses (prover agents, the tx bot, the
 * sequencer, the prover node's VK tree). Not a role: it runs when an active role requires it.
 */
export const circuitProverPlugin = definePlugin({
  name: 'circuit-prover',
  description: 'How circuits are proved',
  options: {
    backend: option.enum(['simulated', 'native'], {
      description: 'simulated: witness generation only, placeholder proofs (fast development; L1 must use the mock verifier); native: real proofs with bb',
      env: 'PROVER_BACKEND',
      default: 'simulated',
    }),
    crs: option.enum(['dev', 'ignition'], { description: 'CRS for native proofs: dev (INSECURE, generated locally from a public seed) or ignition (provisioned files, --circuit-prover.crs-path)', env: 'QUETZAL_CRS', default: 'dev' }),
    crsPath: option.string({ description: 'CRS directory (bn254_g1.dat, bn254_g2.dat): required for ignition; default for dev: <data-dir>/crs/dev', env: 'QUETZAL_CRS_PATH' }),
    threads: option.int({ description: 'Threads each bb process uses', env: 'PROVER_AGENT_THREADS', aliases: ['prover-agent.threads'], default: 2, min: 1 }),
    concurrency: option.int({ description: 'Native proofs made at once, each with its own bb process (about 2 GB each); defaults to --prover-agent.count', env: 'PROVER_CONCURRENCY', min: 1 }),
    timeoutMs: option.int({ description: 'A native proof taking longer is cancelled and its bb killed', env: 'PROVER_TIMEOUT_MS', default: 30 * 60_000, min: 1000 }),
    verifyWorkers: option.int({ description: 'Worker threads that verify client (tx) proofs under the native backend (started on the first tx)', env: 'PROVER_TX_VERIFY_WORKERS', default: 1, min: 1 }),
  },
  provides: [Tokens.CircuitProver, Tokens.RootVerifier, Tokens.TxProofVerifier],
  checks: circuitProverChecks,
  reads: ['proverAgent'],
  async start(ctx) {
    const { config } = ctx;
    let prover: CircuitProver & { stop?(): Promise<void> };
    let txProofs: TxProofVerifier & { stop?(): Promise<void> };
    if (config.backend === 'simulated') {
      // Witness generation takes up to ~0.7 s per circuit: on the main thread it would stall the
      // node's RPC, L1 sync and every timer for as long (one worker per agent of this process).
      prover = new SimulatedCircuitProver({ workers: ctx.configOf('proverAgent').count, logger: ctx.logger });
      txProofs = new SimulatedTxProofVerifier();
      ctx.provide(Tokens.RootVerifier, async () => ({ kind: 'mock' }));
    } else {
      // The CRS and VK cache live in the data directory's root, where `quetzal crs` and `quetzal circuits vks` find them too.
      const native = await createNativeProver({
        crs: { mode: config.crs, crsPath: config.crsPath },
        dataDir: ctx.core.dataDir,
        signal: ctx.signal,
        logger: ctx.logger,
        threads: config.threads,
        concurrency: config.concurrency ?? ctx.configOf('proverAgent').count,
        timeoutMs: config.timeoutMs,
      });
      prover = native;
      txProofs = new NativeTxProofVerifier({
        vk: async () => (await native.getVerificationKey('tx')).fields,
        g2: await crsG2(native.crs, ctx.logger),
        workers: config.verifyWorkers,
        logger: ctx.logger,
      });
      // Epochs reach L1 through root-single (over a block-root or the top block-merge): one verifier.
      ctx.provide(Tokens.RootVerifier, async () => verifierChoice(await buildHonkVerifier(native, { circuit: 'root-single', cacheDir: join(ctx.core.dataDir, 'vks'), logger: ctx.logger })));
    }
    ctx.provide(Tokens.CircuitProver, prover);
    ctx.provide(Tokens.TxProofVerifier, txProofs);
    ctx.logger.info({ backend: config.backend, crs: config.backend === 'native' ? config.crs : undefined }, 'circuit prover ready');
    return { stop: async () => void (await Promise.all([prover.stop?.(), txProofs.stop?.()])) };
  },
});
