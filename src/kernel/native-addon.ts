// Small C N-API addons (hot loops where BigInt or WASM would cost minutes), built on first use with
// the system's C compiler and cached by a hash of their sources, flags and CPU. Callers check a
// loaded build against their TypeScript reference and fall back to it when anything fails.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

export interface NativeAddonSource {
  /** Names the build (`<name>-<hash>.node`). */
  name: string;
  /** File name -> content; `main` is compiled, the others are headers it includes. */
  files: Record<string, string>;
  main: string;
  /** Where builds are kept. */
  buildDir: string;
}

/** The path of the built addon (built now when no cached build matches). Throws when it cannot be built. */
export function buildNativeAddon(src: NativeAddonSource): string {
  // -march=native: the build is made where it runs (the key includes the CPU model).
  const flags = (process.env.QUETZAL_CFLAGS ?? '-O3 -march=native').split(' ');
  const hash = createHash('sha256');
  for (const [file, content] of Object.entries(src.files).sort()) hash.update(file).update(content);
  const key = hash.update(process.arch).update(cpus()[0]?.model ?? '').update(flags.join(' ')).digest('hex').slice(0, 16);
  const out = join(src.buildDir, `${src.name}-${key}.node`);
  if (existsSync(out)) return out;
  mkdirSync(src.buildDir, { recursive: true });
  const tmp = join(src.buildDir, `tmp-${src.name}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [file, content] of Object.entries(src.files)) writeFileSync(join(tmp, file), content);
    const includeDir = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].find((d) => existsSync(join(d, 'node_api.h')));
    if (!includeDir) throw new Error('node_api.h not found');
    const cc = process.env.CC ?? 'cc';
    execFileSync(cc, [...flags, '-shared', '-fPIC', `-I${includeDir}`, `-I${tmp}`, '-o', join(tmp, 'addon.node'), join(tmp, src.main), '-lpthread'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    renameSync(join(tmp, 'addon.node'), out); // atomic: concurrent builders agree
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
