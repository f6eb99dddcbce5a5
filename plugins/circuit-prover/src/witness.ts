// ACVM witness generation (noir_js) for a protocol circuit: encodes the inputs to the Noir ABI,
// executes every constraint the ACVM checks, decodes the returned public outputs. Shared by the
// simulated prover and (later) the native one, which proves the witness with bb.
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import { CircuitExecutionError } from '@quetzal/protocol/circuit-prover';
import { flatten, fromAbi, toAbi } from '@quetzal/protocol/circuits/abi';
import { loadCircuitArtifact, type CircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import { CIRCUIT_SCHEMAS, type CircuitInputs, type CircuitOutputs } from '@quetzal/protocol/circuits/structs';

export interface WitnessResult<C extends CircuitName> {
  /** gzipped witness, as `bb prove -w` takes it. */
  witness: Uint8Array;
  publicOutputs: CircuitOutputs<C>;
  publicInputs: bigint[];
}

const PREFIX = 'Circuit execution failed: ';

export class WitnessGenerator {
  private readonly noirs = new Map<CircuitName, Noir>();

  constructor(private readonly loadArtifact: (name: CircuitName) => CircuitArtifact = loadCircuitArtifact) {}

  private noir(circuit: CircuitName): Noir {
    let n = this.noirs.get(circuit);
    if (!n) {
      n = new Noir(this.loadArtifact(circuit) as unknown as CompiledCircuit);
      this.noirs.set(circuit, n);
    }
    return n;
  }

  async execute<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, signal?: AbortSignal): Promise<WitnessResult<C>> {
    signal?.throwIfAborted();
    const schemas = CIRCUIT_SCHEMAS[circuit];
    const abiInputs = toAbi(schemas.inputs, inputs as never);
    let result: Awaited<ReturnType<Noir['execute']>>;
    try {
      result = await this.noir(circuit).execute(abiInputs as never);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new CircuitExecutionError(circuit, msg.startsWith(PREFIX) ? msg.slice(PREFIX.length) : msg);
    }
    signal?.throwIfAborted();
    const publicOutputs = fromAbi(schemas.outputs, result.returnValue) as CircuitOutputs<C>;
    return { witness: result.witness, publicOutputs, publicInputs: flatten(schemas.outputs, publicOutputs as never) };
  }
}
