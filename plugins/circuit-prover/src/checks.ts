// The doctor's circuit-prover checks: the CRS, the VKs against the Rollup's VK tree root, and bb.
// Nothing is generated or computed here: only what is on disk is read.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fail, pass, warn, type CheckContext, type DoctorCheck } from '@quetzal/kernel/doctor';
import { CIRCUIT_NAMES } from '@quetzal/protocol/circuit-names';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { Tokens } from '@quetzal/protocol/tokens';
import { inspectCrs, type CrsMode } from './crs/crs-manager.js';
import { defaultBbPath, verifierTarget } from './gates.js';
import { VkCache, artifactHash, bbIdentity, vkTreeOf } from './vks.js';
import type { VkData } from './bb/bb-worker.js';

interface Config {
  backend: 'simulated' | 'native';
  crs: CrsMode;
  crsPath?: string;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

export function circuitProverChecks(ctx: CheckContext<Config>): DoctorCheck[] {
  const c = ctx.config;
  const native = c.backend === 'native';
  const crs = () => inspectCrs({ mode: c.crs, dataDir: ctx.core.dataDir, crsPath: c.crsPath });
  return [
    {
      name: 'crs',
      run: async () => {
        if (!native) return pass('not needed by the simulated backend');
        const s = crs();
        if (!s.sufficient) return fail(s.problem!, c.crs === 'dev' ? 'run `quetzal crs generate` (about 30 s), or let `start` generate it' : 'pass --circuit-prover.crs-path with the Ignition files (bn254_g1.dat, bn254_g2.dat)');
        return pass(`${s.mode} CRS in ${s.dir}: ${s.points} points (${s.required} needed), id ${s.id}${s.mode === 'dev' ? ' (INSECURE: local networks only)' : ''}`);
      },
    },
    {
      name: 'vks',
      run: async () => {
        const rollup = (await (await ctx.resolve(Tokens.L1)).rollup.getConfig()).vkTreeRoot;
        let tree: VkTree;
        if (!native) tree = VkTree.simulated();
        else {
          const s = crs();
          if (!s.sufficient) return fail('no usable CRS, so no VKs', 'fix the crs check first');
          const cache = new VkCache(join(ctx.core.dataDir, 'vks'));
          const bbId = bbIdentity(defaultBbPath());
          const vks: Partial<Record<(typeof CIRCUIT_NAMES)[number], VkData>> = {};
          for (const circuit of CIRCUIT_NAMES) vks[circuit] = cache.get({ circuit, target: verifierTarget(circuit), crsId: s.id!, artifactHash: artifactHash(circuit), bbId });
          const missing = CIRCUIT_NAMES.filter((circuit) => !vks[circuit]);
          if (missing.length) return warn(`${missing.length} of ${CIRCUIT_NAMES.length} VKs not computed yet for this CRS and bb (${missing.join(', ')})`, 'run `quetzal circuits vks` (a few minutes), or let `start` compute them');
          tree = vkTreeOf(vks as Record<(typeof CIRCUIT_NAMES)[number], VkData>);
        }
        if (tree.root !== rollup) {
          return fail(
            `the ${c.backend} circuits' VK tree root is ${hex(tree.root)}, the Rollup expects ${hex(rollup)}`,
            'use the --circuit-prover.backend (and CRS) the network was deployed for, or the circuits of its release',
          );
        }
        return pass(`the ${c.backend} circuits' VK tree root ${hex(tree.root)} is the Rollup's`);
      },
    },
    {
      name: 'bb',
      run: async () => {
        if (!native) return pass('not used by the simulated backend');
        let path: string;
        try {
          path = defaultBbPath();
        } catch (err) {
          return fail((err as Error).message, 'reinstall (`npm ci`), or set BB_PATH');
        }
        const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
        if (r.status !== 0) return fail(`${path} --version failed: ${r.error?.message ?? (r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`, 'reinstall (`npm ci`); bb needs a glibc-based Linux or macOS on x86_64/arm64');
        return pass(`${path} runs (version ${r.stdout.trim()})`);
      },
    },
  ];
}
