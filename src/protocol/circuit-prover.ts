// The CircuitProver: one method per protocol circuit. Implementations live in
// plugins/circuit-prover (`simulated`: ACVM witness generation + placeholder proof; `native`: bb).
import type { CircuitName } from './circuit-names.js';
import type { ProofAndVk, VerificationKeyData } from './circuits/child-proof.js';
import type {
  BaseInputs,
  BlockMergeInputs,
  BlockRollupOutputs,
  BlockRootEmptyInputs,
  BlockRootInputs,
  CircuitInputs,
  CircuitOutputs,
  MergeInputs,
  ParityBaseInputs,
  ParityOutputs,
  ParityRootInputs,
  RootInputs,
  RootOutputs,
  RootSingleInputs,
  TxCircuitInputs,
  TxPublicOutputs,
  TxRollupOutputs,
} from './circuits/structs.js';
import type { VkTree } from './circuits/vk-tree.js';

export type { ProofAndVk, VerificationKeyData } from './circuits/child-proof.js';

/**
 * The result of proving one circuit. It is a `ProofAndVk`, so it goes straight into the parent's
 * inputs with `childProofOf(result, vkTree)`.
 */
export interface CircuitProofResult<C extends CircuitName = CircuitName> extends ProofAndVk {
  circuit: C;
  /** The decoded public outputs (the circuit's `-> pub` struct). */
  publicOutputs: CircuitOutputs<C>;
  /** The same, flattened: the proof's public inputs. */
  publicInputs: bigint[];
  /** PROOF_LENGTH fields for recursive circuits; for `root`/`root-single` under `native`, the EVM proof's fields. */
  proof: bigint[];
  /** The circuit's VK (placeholder fields and the VK tree's hash under `simulated`). */
  vk: VerificationKeyData;
}

export interface ProveOptions {
  signal?: AbortSignal;
}

/** An input the circuit refuses: `message` is the circuit's own assertion message. */
export class CircuitExecutionError extends Error {
  constructor(
    public readonly circuit: CircuitName,
    /** The assertion message (or the ACVM's error) without the prefix. */
    public readonly reason: string,
  ) {
    super(`${circuit} circuit failed: ${reason}`);
    this.name = 'CircuitExecutionError';
  }
}

export interface CircuitProver {
  /** `simulated` or `native` (or a third party's). */
  readonly kind: string;
  /** The VK tree of the circuits this prover proves (its root is a public input checked on L1). */
  getVkTree(): Promise<VkTree>;
  getVerificationKey(circuit: CircuitName): Promise<VerificationKeyData>;

  /** Any circuit by name (what a prover agent calls for a job). */
  prove<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, options?: ProveOptions): Promise<CircuitProofResult<C>>;

  proveTx(inputs: TxCircuitInputs, options?: ProveOptions): Promise<CircuitProofResult<'tx'>>;
  proveParityBase(inputs: ParityBaseInputs, options?: ProveOptions): Promise<CircuitProofResult<'parity-base'>>;
  proveParityRoot(inputs: ParityRootInputs, options?: ProveOptions): Promise<CircuitProofResult<'parity-root'>>;
  proveBase(inputs: BaseInputs, options?: ProveOptions): Promise<CircuitProofResult<'base'>>;
  proveMerge(inputs: MergeInputs, options?: ProveOptions): Promise<CircuitProofResult<'merge'>>;
  proveBlockRoot(inputs: BlockRootInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-root'>>;
  proveBlockRootEmpty(inputs: BlockRootEmptyInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-root-empty'>>;
  proveBlockMerge(inputs: BlockMergeInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-merge'>>;
  proveRoot(inputs: RootInputs, options?: ProveOptions): Promise<CircuitProofResult<'root'>>;
  proveRootSingle(inputs: RootSingleInputs, options?: ProveOptions): Promise<CircuitProofResult<'root-single'>>;

  /** Releases workers / bb processes. */
  stop?(): Promise<void>;
}

// Keep the output types reachable from this module for implementers.
export type { TxPublicOutputs, ParityOutputs, TxRollupOutputs, BlockRollupOutputs, RootOutputs };
