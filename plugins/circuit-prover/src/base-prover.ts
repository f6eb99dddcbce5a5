// Shared shape of CircuitProver implementations: the named methods delegate to `prove`.
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import type { CircuitProofResult, CircuitProver, ProveOptions, VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import type {
  BaseInputs,
  BlockMergeInputs,
  BlockRootEmptyInputs,
  BlockRootInputs,
  CircuitInputs,
  MergeInputs,
  ParityBaseInputs,
  ParityRootInputs,
  RootInputs,
  RootSingleInputs,
  TxCircuitInputs,
} from '@quetzal/protocol/circuits/structs';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';

export abstract class BaseCircuitProver implements CircuitProver {
  abstract readonly kind: string;
  abstract getVkTree(): Promise<VkTree>;
  abstract getVerificationKey(circuit: CircuitName): Promise<VerificationKeyData>;
  abstract prove<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, options?: ProveOptions): Promise<CircuitProofResult<C>>;

  proveTx(inputs: TxCircuitInputs, options?: ProveOptions): Promise<CircuitProofResult<'tx'>> {
    return this.prove('tx', inputs, options);
  }
  proveParityBase(inputs: ParityBaseInputs, options?: ProveOptions): Promise<CircuitProofResult<'parity-base'>> {
    return this.prove('parity-base', inputs, options);
  }
  proveParityRoot(inputs: ParityRootInputs, options?: ProveOptions): Promise<CircuitProofResult<'parity-root'>> {
    return this.prove('parity-root', inputs, options);
  }
  proveBase(inputs: BaseInputs, options?: ProveOptions): Promise<CircuitProofResult<'base'>> {
    return this.prove('base', inputs, options);
  }
  proveMerge(inputs: MergeInputs, options?: ProveOptions): Promise<CircuitProofResult<'merge'>> {
    return this.prove('merge', inputs, options);
  }
  proveBlockRoot(inputs: BlockRootInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-root'>> {
    return this.prove('block-root', inputs, options);
  }
  proveBlockRootEmpty(inputs: BlockRootEmptyInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-root-empty'>> {
    return this.prove('block-root-empty', inputs, options);
  }
  proveBlockMerge(inputs: BlockMergeInputs, options?: ProveOptions): Promise<CircuitProofResult<'block-merge'>> {
    return this.prove('block-merge', inputs, options);
  }
  proveRoot(inputs: RootInputs, options?: ProveOptions): Promise<CircuitProofResult<'root'>> {
    return this.prove('root', inputs, options);
  }
  proveRootSingle(inputs: RootSingleInputs, options?: ProveOptions): Promise<CircuitProofResult<'root-single'>> {
    return this.prove('root-single', inputs, options);
  }
}
