// Gate counts of the protocol circuits: `bb gates -b <artifact>` per circuit (ACIR opcodes and
// UltraHonk circuit size), flagged against the CRS limit (2^21 points).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CIRCUIT_NAMES, type CircuitName } from '@quetzal/protocol/circuit-names';
import { MAX_CIRCUIT_GATES } from '@quetzal/protocol/constants';
import { circuitArtifactPath } from '@quetzal/protocol/circuits/artifacts';

export interface CircuitGates {
  circuit: CircuitName;
  /** bb verifier target the circuit is proven for (it decides the transcript hash). */
  target: 'noir-recursive' | 'evm';
  acirOpcodes: number;
  gates: number;
  limit: number;
  withinLimit: boolean;
}

/** The verifier target each circuit is proven with: the root for the EVM, the rest recursively. */
export function verifierTarget(circuit: CircuitName): 'noir-recursive' | 'evm' {
  return circuit === 'root' || circuit === 'root-single' ? 'evm' : 'noir-recursive';
}

/** The stock bb binary shipped in @aztec/bb.js (BB_PATH overrides). */
export function defaultBbPath(): string {
  if (process.env.BB_PATH) return process.env.BB_PATH;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const os = process.platform === 'darwin' ? 'macos' : process.platform;
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', '@aztec', 'bb.js', 'build', `${arch}-${os}`, 'bb');
    if (existsSync(candidate)) return candidate;
    const up = join(dir, '..');
    if (up === dir) throw new Error(`bb binary for ${arch}-${os} not found in @aztec/bb.js; set BB_PATH`);
    dir = up;
  }
}

/** Parses `bb gates` output: `{"functions": [{"acir_opcodes": N, "circuit_size": M}]}` (after log lines). */
export function parseBbGates(stdout: string): { acirOpcodes: number; gates: number } {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`unexpected bb gates output: ${stdout.slice(0, 200)}`);
  const parsed = JSON.parse(stdout.slice(start)) as { functions: { acir_opcodes: number; circuit_size: number }[] };
  const f = parsed.functions?.[0];
  if (!f || typeof f.circuit_size !== 'number') throw new Error(`unexpected bb gates output: ${stdout.slice(0, 200)}`);
  return { acirOpcodes: f.acir_opcodes, gates: f.circuit_size };
}

function run(bb: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bb, args, { maxBuffer: 16 << 20, signal }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bb} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export async function measureGates(options: { circuits?: readonly CircuitName[]; bbPath?: string; signal?: AbortSignal } = {}): Promise<CircuitGates[]> {
  const bb = options.bbPath ?? defaultBbPath();
  const out: CircuitGates[] = [];
  // One at a time: a 2-proof circuit takes ~0.8 GB to expand.
  for (const circuit of options.circuits ?? CIRCUIT_NAMES) {
    const artifact = circuitArtifactPath(circuit);
    if (!existsSync(artifact)) throw new Error(`circuit artifact ${artifact} is missing: run \`npm run build\``);
    const target = verifierTarget(circuit);
    const { acirOpcodes, gates } = parseBbGates(await run(bb, ['gates', '-b', artifact, '-t', target], options.signal));
    out.push({ circuit, target, acirOpcodes, gates, limit: MAX_CIRCUIT_GATES, withinLimit: gates <= MAX_CIRCUIT_GATES });
  }
  return out;
}
