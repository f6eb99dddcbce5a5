// ACVM witness generation (noir_js) for a protocol circuit: encodes the inputs to the Noir ABI,
// executes every constraint the ACVM checks, decodes the returned public outputs. Shared by the
// simulated prover and (later) the native one, which proves the witness with bb. Runs in-thread,
// or off the main thread on a kernel WorkerPool of `witness-worker.ts`.
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';
import type { WorkerPool } from '@quetzal/kernel/worker-pool';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import { CircuitExecutionError } from '@quetzal/protocol/circuit-prover';
import { flatten, fromAbi, toAbi } from '@quetzal/protocol/circuits/abi';
import { loadCircuitArtifact, type CircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import { CIRCUIT_SCHEMAS, type CircuitInputs, type CircuitOutputs } from '@quetzal/protocol/circuits/structs';
import type { WitnessWorkerApi } from './witness-worker.js';

export interface WitnessResult<C extends CircuitName> {
  /** gzipped witness, as `bb prove -w` takes it. */
  witness: Uint8Array;
  publicOutputs: CircuitOutputs<C>;
  publicInputs: bigint[];
}

/** The module a witness WorkerPool runs. */
export const WITNESS_WORKER_MODULE = new URL('./witness-worker.ts', import.meta.url);

const PREFIX = 'Circuit execution failed: ';

export interface WitnessGeneratorOptions {
  loadArtifact?: (name: CircuitName) => CircuitArtifact;
  /** Execute on this pool (of WITNESS_WORKER_MODULE) instead of the calling thread. */
  pool?: WorkerPool<WitnessWorkerApi>;
}

export class WitnessGenerator {
  private readonly noirs = new Map<CircuitName, Noir>();
  private readonly loadArtifact: (name: CircuitName) => CircuitArtifact;
  private readonly pool?: WorkerPool<WitnessWorkerApi>;

  constructor(options: WitnessGeneratorOptions = {}) {
    this.loadArtifact = options.loadArtifact ?? loadCircuitArtifact;
    this.pool = options.pool;
  }

  private noir(circuit: CircuitName): Noir {
    let n = this.noirs.get(circuit);
    if (!n) {
      n = new Noir(this.loadArtifact(circuit) as unknown as CompiledCircuit);
      this.noirs.set(circuit, n);
    }
    return n;
  }

  private async run(circuit: CircuitName, abiInputs: Record<string, unknown>, signal?: AbortSignal): Promise<{ witness: Uint8Array; returnValue: unknown }> {
    if (!this.pool) return this.noir(circuit).execute(abiInputs as never);
    const artifact = this.loadArtifact(circuit);
    const key = `${circuit}:${String(artifact.hash ?? artifact.bytecode.length)}`;
    return this.pool.run((w) => w.execute(key, artifact as unknown as CompiledCircuit, abiInputs), { signal });
  }

  async execute<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, signal?: AbortSignal): Promise<WitnessResult<C>> {
    signal?.throwIfAborted();
    const schemas = CIRCUIT_SCHEMAS[circuit];
    const abiInputs = toAbi(schemas.inputs, inputs as never) as Record<string, unknown>;
    let result: { witness: Uint8Array; returnValue: unknown };
    try {
      result = await this.run(circuit, abiInputs, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof Error && e.name === 'WorkerCrashedError') throw e;
      throw new CircuitExecutionError(circuit, msg.startsWith(PREFIX) ? msg.slice(PREFIX.length) : msg);
    }
    signal?.throwIfAborted();
    const publicOutputs = fromAbi(schemas.outputs, result.returnValue) as CircuitOutputs<C>;
    return { witness: result.witness, publicOutputs, publicInputs: flatten(schemas.outputs, publicOutputs as never) };
  }
}
