// Compiled circuit artifacts: build/circuits/<name>.json, written by scripts/build-circuits.ts
// (run by `npm ci` / `npm run build`). QUETZAL_CIRCUITS_DIR overrides the directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CircuitName } from '../circuit-names.js';

/** The noir_wasm `program` (noir_js `CompiledCircuit`): bytecode (base64 gzipped ACIR) and ABI. */
export interface CircuitArtifact {
  noir_version: string;
  hash?: string | number;
  abi: { parameters: unknown[]; return_type: unknown; error_types: Record<string, unknown> };
  bytecode: string;
  debug_symbols?: unknown;
  file_map?: unknown;
}

export function circuitsBuildDir(): string {
  return process.env.QUETZAL_CIRCUITS_DIR ?? fileURLToPath(new URL('../../../build/circuits/', import.meta.url));
}

export function circuitArtifactPath(name: CircuitName): string {
  return join(circuitsBuildDir(), `${name}.json`);
}

const cache = new Map<string, CircuitArtifact>();

export function loadCircuitArtifact(name: CircuitName): CircuitArtifact {
  const path = circuitArtifactPath(name);
  let a = cache.get(path);
  if (!a) {
    if (!existsSync(path)) throw new Error(`circuit artifact ${path} is missing: run \`npm run build\` (scripts/build-circuits.ts)`);
    a = JSON.parse(readFileSync(path, 'utf8')) as CircuitArtifact;
    cache.set(path, a);
  }
  return a;
}
