import { BackendType, BarretenbergSync } from '@aztec/bb.js';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { BN254_FIELD_MODULUS, fromBytes, toBytes32 } from './sha256.js';

/**
 * bb.js's WASM, inflated once into build/bb-wasm: bb.js inflates its gzipped copy with pako on the
 * calling thread (~170 ms of main thread at every start); here zlib does it once on the thread
 * pool. Undefined (bb.js's own path) when it cannot be written.
 */
async function inflatedBbWasm(): Promise<string | undefined> {
  try {
    const gz = join(dirname(fileURLToPath(import.meta.resolve('@aztec/bb.js'))), 'barretenberg_wasm', 'barretenberg-threads.wasm.gz');
    const { size, mtimeMs } = await stat(gz);
    const file = join(fileURLToPath(new URL('../../../build/bb-wasm/', import.meta.url)), `barretenberg-threads-${size}-${Math.trunc(mtimeMs)}.wasm`);
    if (await stat(file).then(() => true, () => false)) return file;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, await promisify(gunzip)(await readFile(gz)));
    await rename(tmp, file); // atomic: concurrent starts agree
    return file;
  } catch {
    return undefined;
  }
}

// One synchronous Barretenberg per process: hashing sits on hot paths (tree updates) where an
// async round trip per hash would dominate. WASM, in this process: the native shared-memory backend
// runs bb as a child in our process group, so a Ctrl-C kills it and the next hash blocks forever.
const bb = await BarretenbergSync.new({ backend: BackendType.Wasm, wasmPath: await inflatedBbWasm() });

/** BN254 scalar field modulus: every protocol Field is an integer below it. */
export const FIELD_MODULUS = BN254_FIELD_MODULUS;

export function fieldToBytes(value: bigint): Uint8Array {
  if (value >= FIELD_MODULUS) throw new RangeError(`field element out of range: ${value}`);
  return toBytes32(value);
}

export const bytesToField = fromBytes;

/**
 * Poseidon2 sponge over BN254 (rate 3, capacity 1, IV = len << 64), bb's construction; the Noir
 * library's `poseidon2_hash` computes the same function (pinned by cross-language vectors).
 */
export function poseidon2Hash(inputs: readonly bigint[]): bigint {
  return bytesToField(bb.poseidon2Hash({ inputs: inputs.map(fieldToBytes) }).hash);
}

/** The raw Poseidon2 permutation of a 4-element state. */
export function poseidon2Permutation(state: readonly [bigint, bigint, bigint, bigint]): bigint[] {
  return bb.poseidon2Permutation({ inputs: state.map(fieldToBytes) }).outputs.map(bytesToField);
}
