// The L1 verifier of the root proof: bb's generated HonkVerifier for the root VK, compiled with
// solc-js. bb hard-codes Ignition's [x]_2 in it; under the dev CRS those four words are replaced
// by the dev G2 (the only change: the pairing check then matches the dev setup).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@quetzal/kernel/logging';
import { pino } from 'pino';
import { compileSolidityOffThread, type ContractArtifact } from '@quetzal/l1/compile';
import type { VerifierChoice } from '@quetzal/l1/deployment';
import { IGNITION_G2, eip197Words } from './crs/g2.js';
import type { NativeCircuitProver } from './native-prover.js';

/** Ignition's [x]_2 as bb writes it into the verifier's pairing (EIP-197 order). */
export const IGNITION_G2_WORDS = eip197Words(IGNITION_G2);

/** Replaces Ignition's G2 with `g2` (bb's file layout x.c0 || x.c1 || y.c0 || y.c1). */
export function substituteG2(source: string, g2: Uint8Array): string {
  const words = eip197Words(g2);
  let out = source;
  IGNITION_G2_WORDS.forEach((ign, i) => {
    const n = out.split(ign).length - 1;
    if (n !== 1) throw new Error(`the generated verifier holds Ignition's G2 word ${i} ${n} times, expected once (bb's template changed?)`);
    out = out.replace(ign, words[i]!);
  });
  return out;
}

export interface HonkVerifierBuild {
  circuit: 'root' | 'root-single';
  optimized: boolean;
  source: string;
  artifact: ContractArtifact;
  /** Libraries the verifier links (the standard verifier has two; the optimized one none). */
  libraries: Record<string, ContractArtifact>;
}

export function verifierChoice(build: HonkVerifierBuild): VerifierChoice {
  return { kind: 'artifact', artifact: build.artifact, libraries: build.libraries };
}

/**
 * Generates (bb), patches (dev) and compiles (solc-js) the verifier of `circuit`'s VK. The result is
 * cached next to the VKs, keyed by the source's hash.
 */
export async function buildHonkVerifier(
  prover: NativeCircuitProver,
  opts: { circuit?: 'root' | 'root-single'; optimized?: boolean; cacheDir: string; logger?: Logger },
): Promise<HonkVerifierBuild> {
  const circuit = opts.circuit ?? 'root';
  // Default: bb's --optimized verifier. It verifies the same proof (no prover change) for ~1.0M gas
  // instead of ~4.35M, and needs no library linking (measured: test/real/epoch.real.test.ts).
  const optimized = opts.optimized ?? true;
  let source = await prover.solidityVerifierSource(circuit, optimized);
  if (prover.crs.mode === 'dev') {
    if (!prover.crs.g2) throw new Error(`dev CRS at ${prover.crs.dir} has no bn254_g2.dat`);
    source = substituteG2(source, prover.crs.g2);
  }
  const compileOptions = { optimizerRuns: 1, evmVersion: 'cancun' };
  const key = createHash('sha256').update(source).update(JSON.stringify(compileOptions)).digest('hex').slice(0, 16);
  const file = join(opts.cacheDir, prover.crs.id, `verifier-${circuit}${optimized ? '-optimized' : ''}-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as HonkVerifierBuild;
  // tens of seconds of solc: on a worker, so that a node starting up keeps answering
  const contracts = await compileSolidityOffThread({ 'HonkVerifier.sol': source }, compileOptions, opts.logger ?? pino({ level: 'silent' }));
  const artifact = contracts.HonkVerifier;
  if (!artifact) throw new Error(`bb's verifier source has no HonkVerifier contract (found: ${Object.keys(contracts).join(', ')})`);
  // The libraries the verifier links, transitively (the standard verifier's external library calls).
  const libraries: Record<string, ContractArtifact> = {};
  const collect = (a: ContractArtifact) => {
    for (const libs of Object.values(a.linkReferences)) {
      for (const name of Object.keys(libs)) {
        if (libraries[name]) continue;
        const lib = contracts[name];
        if (!lib) throw new Error(`the verifier links ${name}, which solc did not output`);
        libraries[name] = lib;
        collect(lib);
      }
    }
  };
  collect(artifact);
  const build: HonkVerifierBuild = { circuit, optimized, source, artifact, libraries };
  mkdirSync(join(opts.cacheDir, prover.crs.id), { recursive: true });
  writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(build));
  renameSync(`${file}.tmp-${process.pid}`, file);
  return build;
}
