// Byte encodings of circuit inputs and proof results, for proving jobs (the broker treats them as
// opaque bytes). Inputs: UTF-8 JSON of the Noir ABI input map (deterministic key order, so the
// job id, a hash of the bytes, is stable). Results: JSON with hex fields.
import { CIRCUIT_NAMES, type CircuitName } from '../circuit-names.js';
import type { CircuitProofResult, CircuitProver } from '../circuit-prover.js';
import { encodedSize, fieldToHex, flatten, fromAbi, toAbi, unflatten } from './abi.js';
import { CIRCUIT_SCHEMAS, type CircuitInputs } from './structs.js';

export function encodeCircuitInputs<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toAbi(CIRCUIT_SCHEMAS[circuit].inputs, inputs as never)));
}

const inputSizes = new Map<CircuitName, number>();

/** Refuses inputs larger than any encoding of the circuit's inputs before reading them (a job's inputs may be tens of MB of garbage). */
export function decodeCircuitInputs<C extends CircuitName>(circuit: C, bytes: Uint8Array): CircuitInputs<C> {
  let max = inputSizes.get(circuit);
  if (max === undefined) inputSizes.set(circuit, (max = encodedSize(CIRCUIT_SCHEMAS[circuit].inputs)));
  if (bytes.length > max) throw new RangeError(`${circuit} inputs of ${bytes.length} bytes: a ${circuit} circuit's inputs encode to ${max} bytes`);
  return fromAbi(CIRCUIT_SCHEMAS[circuit].inputs, JSON.parse(new TextDecoder().decode(bytes))) as CircuitInputs<C>;
}

interface EncodedResult {
  circuit: CircuitName;
  publicInputs: string[];
  proof: string[];
  vk: { fields: string[]; hash: string };
}

export function encodeProofResult(result: CircuitProofResult): Uint8Array {
  const e: EncodedResult = {
    circuit: result.circuit,
    publicInputs: result.publicInputs.map(fieldToHex),
    proof: result.proof.map(fieldToHex),
    vk: { fields: result.vk.fields.map(fieldToHex), hash: fieldToHex(result.vk.hash) },
  };
  return new TextEncoder().encode(JSON.stringify(e));
}

export function decodeProofResult<C extends CircuitName>(bytes: Uint8Array, expected?: C): CircuitProofResult<C> {
  const e = JSON.parse(new TextDecoder().decode(bytes)) as EncodedResult;
  if (!CIRCUIT_NAMES.includes(e.circuit)) throw new TypeError(`unknown circuit ${String(e.circuit)}`);
  if (expected && e.circuit !== expected) throw new TypeError(`expected a ${expected} result, got ${e.circuit}`);
  const publicInputs = e.publicInputs.map((x) => BigInt(x));
  const publicOutputs = unflatten(CIRCUIT_SCHEMAS[e.circuit].outputs, publicInputs);
  // round-trip check: the outputs re-flatten to the same fields
  if (flatten(CIRCUIT_SCHEMAS[e.circuit].outputs, publicOutputs as never).length !== publicInputs.length) throw new TypeError('bad public inputs');
  return {
    circuit: e.circuit as C,
    publicOutputs: publicOutputs as never,
    publicInputs,
    proof: e.proof.map((x) => BigInt(x)),
    vk: { fields: e.vk.fields.map((x) => BigInt(x)), hash: BigInt(e.vk.hash) },
  };
}

/**
 * Proves a job's encoded inputs and encodes the result: what a prover agent's prove function does.
 * A `CircuitExecutionError` (the circuit refused the inputs) is not worth retrying.
 */
export async function proveEncoded(
  prover: Pick<CircuitProver, 'prove'>,
  circuit: CircuitName,
  inputs: Uint8Array,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const decoded = decodeCircuitInputs(circuit, inputs);
  return encodeProofResult(await prover.prove(circuit, decoded as never, { signal }));
}
