// Pool worker of the native prover: ACVM witness generation (noir_js) and bb calls through bb.js's
// native backend (one `bb msgpack run` child per worker, started on first use). Messages carry
// plain data (bigints, typed arrays); gzip is undone with the web-standard DecompressionStream.
// Runs as a worker_threads worker under Node and a web Worker under Deno (bb.js's child_process
// and net calls go through Deno's Node compatibility).
import * as Comlink from 'comlink';
import { Barretenberg, BackendType } from '@aztec/bb.js';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import { CircuitExecutionError } from '@quetzal/protocol/circuit-prover';
import { loadCircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import type { CircuitInputs, CircuitOutputs } from '@quetzal/protocol/circuits/structs';
import { WitnessGenerator } from '../witness.js';
import { settingsFor, type VerifierTarget } from './settings.js';

export interface BbWorkerConfig {
  bbPath: string;
  /** The CRS directory bb reads (bn254_g1.dat). */
  crsPath: string;
  /** bb's HARDWARE_CONCURRENCY. */
  threads: number;
}

export interface VkData {
  bytes: Uint8Array;
  fields: bigint[];
  hash: bigint;
}

export type ProveOutcome<C extends CircuitName> =
  | {
      ok: true;
      publicOutputs: CircuitOutputs<C>;
      /** From the witness (the circuit's return struct, flattened). */
      publicInputs: bigint[];
      /** What bb put in the proof's public inputs (checked against the above by the caller). */
      bbPublicInputs: bigint[];
      proof: bigint[];
      verified?: boolean;
      witnessMs: number;
      proveMs: number;
    }
  | { ok: false; reason: string };

let bb: Promise<Barretenberg> | undefined;
/** bb.js's child handle: exitCode/signalCode tell whether bb died (crash, OOM kill) since the last call. */
let bbProcess: { pid?: number; exitCode: number | null; signalCode: string | null } | undefined;
const witnesses = new WitnessGenerator();
const bytecodes = new Map<CircuitName, Promise<Uint8Array>>();

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function base64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytecode(circuit: CircuitName): Promise<Uint8Array> {
  let b = bytecodes.get(circuit);
  if (!b) {
    b = gunzip(base64(loadCircuitArtifact(circuit).bytecode));
    bytecodes.set(circuit, b);
  }
  return b;
}

const toBigint = (f: Uint8Array): bigint => {
  let v = 0n;
  for (const byte of f) v = (v << 8n) | BigInt(byte);
  return v;
};

async function barretenberg(config: BbWorkerConfig): Promise<Barretenberg> {
  if (bb && bbProcess && (bbProcess.exitCode !== null || bbProcess.signalCode !== null)) {
    bb = undefined; // it died: start a new one
    bbProcess = undefined;
  }
  if (!bb) {
    // bb.js's native backend ignores its crsPath option; the bb child reads $CRS_PATH from the
    // environment it inherits, copied synchronously below. That is this worker's own copy of
    // process.env under Node, the process's environment under Deno (the native prover starts one
    // bb at a time, so no other worker's start sees it in between).
    process.env.CRS_PATH = config.crsPath;
    bb = Barretenberg.new({ backend: BackendType.NativeUnixSocket, bbPath: config.bbPath, threads: config.threads });
    bb.then((api) => {
      bbProcess = (api as unknown as { backend: { process?: typeof bbProcess } }).backend.process;
    }).catch(() => (bb = undefined));
  }
  return bb;
}

const api = {
  /** Starts this worker's bb (once) and returns its pid, so the caller can kill it on cancel. */
  async start(config: BbWorkerConfig): Promise<number | undefined> {
    await barretenberg(config);
    return bbProcess?.pid;
  },

  async computeVk(config: BbWorkerConfig, circuit: CircuitName, target: VerifierTarget): Promise<VkData> {
    const b = await barretenberg(config);
    const vk = await b.circuitComputeVk({ circuit: { name: circuit, bytecode: await bytecode(circuit) }, settings: settingsFor(target) });
    return { bytes: vk.bytes, fields: vk.fields.map(toBigint), hash: toBigint(vk.hash) };
  },

  async prove<C extends CircuitName>(
    config: BbWorkerConfig,
    circuit: C,
    inputs: CircuitInputs<C>,
    target: VerifierTarget,
    vk: Uint8Array,
    verify: boolean,
  ): Promise<ProveOutcome<C>> {
    const b = await barretenberg(config);
    const t0 = performance.now();
    let w;
    try {
      w = await witnesses.execute(circuit, inputs);
    } catch (e) {
      if (e instanceof CircuitExecutionError) return { ok: false, reason: e.reason };
      throw e;
    }
    const t1 = performance.now();
    const settings = settingsFor(target);
    const res = await b.circuitProve({ circuit: { name: circuit, bytecode: await bytecode(circuit), verificationKey: vk }, witness: await gunzip(w.witness), settings });
    const t2 = performance.now();
    const verified = verify ? (await b.circuitVerify({ verificationKey: vk, proof: res.proof, publicInputs: res.publicInputs, settings })).verified : undefined;
    return {
      ok: true,
      publicOutputs: w.publicOutputs,
      publicInputs: w.publicInputs,
      bbPublicInputs: res.publicInputs.map(toBigint),
      proof: res.proof.map(toBigint),
      verified,
      witnessMs: t1 - t0,
      proveMs: t2 - t1,
    };
  },

  async solidityVerifier(config: BbWorkerConfig, vk: Uint8Array, optimized: boolean): Promise<string> {
    const b = await barretenberg(config);
    return (await b.circuitWriteSolidityVerifier({ verificationKey: vk, settings: settingsFor('evm', { optimizedSolidityVerifier: optimized }) })).solidityCode;
  },
};

export type BbWorkerApi = typeof api;
Comlink.expose(api);
