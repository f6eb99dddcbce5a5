// Verification keys per (circuit, CRS): computed by bb once and cached on disk under
// <cacheDir>/<crs id>/, keyed by the circuit artifact's hash, the verifier target and the bb
// binary, so a rebuilt circuit, another CRS or another bb never reuses a stale key.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIRCUIT_NAMES, type CircuitName } from '@quetzal/protocol/circuit-names';
import { loadCircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import type { VkData } from './bb/bb-worker.js';
import type { VerifierTarget } from './bb/settings.js';

export interface VkKey {
  circuit: CircuitName;
  target: VerifierTarget;
  crsId: string;
  artifactHash: string;
  bbId: string;
}

/** Identifies a bb binary cheaply (a reinstall changes it, which only costs a recomputation). */
export function bbIdentity(bbPath: string): string {
  const s = statSync(bbPath);
  return createHash('sha256').update(`${s.size}:${Math.floor(s.mtimeMs)}`).digest('hex').slice(0, 12);
}

export function artifactHash(circuit: CircuitName): string {
  return createHash('sha256').update(loadCircuitArtifact(circuit).bytecode).digest('hex').slice(0, 16);
}

const hex = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;

export class VkCache {
  constructor(private readonly dir: string) {}

  private path(k: VkKey): string {
    return join(this.dir, k.crsId, `${k.circuit}.${k.target}.${k.artifactHash}.${k.bbId}.json`);
  }

  get(k: VkKey): VkData | undefined {
    const p = this.path(k);
    if (!existsSync(p)) return undefined;
    try {
      const j = JSON.parse(readFileSync(p, 'utf8')) as { bytes: string; fields: string[]; hash: string };
      return { bytes: Uint8Array.from(Buffer.from(j.bytes, 'hex')), fields: j.fields.map((f) => BigInt(f)), hash: BigInt(j.hash) };
    } catch {
      return undefined; // unreadable: recompute and overwrite
    }
  }

  put(k: VkKey, vk: VkData): void {
    const p = this.path(k);
    mkdirSync(join(this.dir, k.crsId), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ ...k, bytes: Buffer.from(vk.bytes).toString('hex'), fields: vk.fields.map(hex), hash: hex(vk.hash) }));
    renameSync(tmp, p);
  }
}

/** The VK tree of the real VK hashes (the `simulated` prover has placeholder ones). */
export function vkTreeOf(vks: Readonly<Record<CircuitName, VkData>>): VkTree {
  return VkTree.fromVkHashes(Object.fromEntries(CIRCUIT_NAMES.map((c) => [c, vks[c].hash])) as Record<CircuitName, bigint>);
}
