// The `simulated` CircuitProver: ACVM witness generation for every circuit (so every constraint
// the ACVM checks is checked: assertions, range checks, hashes; NOT the recursive verification of
// child proofs, which only bb checks) and a placeholder proof of the right length. The VK tree
// holds deterministic placeholder VK hashes (`VkTree.simulated()`); L1 uses the MockVerifier.
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import type { CircuitProofResult, ProveOptions, VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { CircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import type { CircuitInputs } from '@quetzal/protocol/circuits/structs';
import { VkTree, simulatedVk } from '@quetzal/protocol/circuits/vk-tree';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import type { Logger } from '@quetzal/kernel/logging';
import { BaseCircuitProver } from './base-prover.js';
import { WITNESS_WORKER_MODULE, WitnessGenerator } from './witness.js';
import type { WitnessWorkerApi } from './witness-worker.js';

/** The placeholder proof: PROOF_LENGTH zero fields. */
export function placeholderProof(): bigint[] {
  return Array<bigint>(PROOF_LENGTH).fill(0n);
}

export interface SimulatedCircuitProverOptions {
  /** Artifact loader (default: build/circuits). */
  loadArtifact?: (name: CircuitName) => CircuitArtifact;
  /**
   * Run witness generation on this many worker threads (a kernel WorkerPool), keeping the
   * calling thread free; 0 or absent runs it in the calling thread.
   */
  workers?: number;
  /** Needed with `workers` (the pool logs replaced workers). */
  logger?: Logger;
}

export class SimulatedCircuitProver extends BaseCircuitProver {
  readonly kind = 'simulated';
  private readonly witnesses: WitnessGenerator;
  private readonly vkTree: VkTree;
  private readonly pool?: WorkerPool<WitnessWorkerApi>;

  constructor(options: SimulatedCircuitProverOptions = {}) {
    super();
    if (options.workers && options.workers > 0) {
      if (!options.logger) throw new Error('SimulatedCircuitProver: a logger is needed with workers');
      this.pool = new WorkerPool<WitnessWorkerApi>({ module: WITNESS_WORKER_MODULE, size: options.workers, name: 'witness', logger: options.logger });
    }
    this.witnesses = new WitnessGenerator({ loadArtifact: options.loadArtifact, pool: this.pool });
    this.vkTree = VkTree.simulated();
  }

  async stop(): Promise<void> {
    await this.pool?.close();
  }

  async getVkTree(): Promise<VkTree> {
    return this.vkTree;
  }

  async getVerificationKey(circuit: CircuitName): Promise<VerificationKeyData> {
    return simulatedVk(circuit);
  }

  async prove<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, options: ProveOptions = {}): Promise<CircuitProofResult<C>> {
    const { publicOutputs, publicInputs } = await this.witnesses.execute(circuit, inputs, options.signal);
    return { circuit, publicOutputs, publicInputs, proof: placeholderProof(), vk: await this.getVerificationKey(circuit) };
  }
}
