// Small C N-API addons (hot loops where BigInt or WASM would cost minutes), built on first use with
// the system's C compiler and cached by a hash of their sources, flags and CPU. Callers check a
// loaded build against their TypeScript reference and fall back to it when anything fails.
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

export interface NativeAddonSource {
  /** Names the build (`<name>-<hash>.node`). */
  name: string;
  /** File name -> content; `main` is compiled, the others are headers it includes. */
  files: Record<string, string>;
  main: string;
  /** Where builds are kept. */
  buildDir: string;
}

interface Plan {
  out: string;
  tmp: string;
  cc: string;
  args: string[];
}

// -march=native: the build is made where it runs (the key includes the CPU model).
const cflags = () => (process.env.QUETZAL_CFLAGS ?? '-O3 -march=native').split(' ');

/** The build's path, keyed by its sources, the flags and the CPU. */
function builtPath(src: NativeAddonSource): string {
  const hash = createHash('sha256');
  for (const [file, content] of Object.entries(src.files).sort()) hash.update(file).update(content);
  const key = hash.update(process.arch).update(cpus()[0]?.model ?? '').update(cflags().join(' ')).digest('hex').slice(0, 16);
  return join(src.buildDir, `${src.name}-${key}.node`);
}

/** How to compile the addon; undefined when a cached build matches. */
function plan(src: NativeAddonSource): Plan | undefined {
  const flags = cflags();
  const out = builtPath(src);
  if (existsSync(out)) return undefined;
  const includeDir = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].find((d) => existsSync(join(d, 'node_api.h')));
  if (!includeDir) throw new Error('node_api.h not found');
  const tmp = join(src.buildDir, `tmp-${src.name}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  for (const [file, content] of Object.entries(src.files)) writeFileSync(join(tmp, file), content);
  return { out, tmp, cc: process.env.CC ?? 'cc', args: [...flags, '-shared', '-fPIC', `-I${includeDir}`, `-I${tmp}`, '-o', join(tmp, 'addon.node'), join(tmp, src.main), '-lpthread'] };
}

function finish(p: Plan): void {
  renameSync(join(p.tmp, 'addon.node'), p.out); // atomic: concurrent builders agree
}

/** The built addon's path (built now when no cached build matches). Throws when it cannot be built. */
export function buildNativeAddon(src: NativeAddonSource): string {
  const p = plan(src);
  if (!p) return builtPath(src);
  try {
    execFileSync(p.cc, p.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    finish(p);
  } finally {
    rmSync(p.tmp, { recursive: true, force: true });
  }
  return p.out;
}

/** As buildNativeAddon, with the compiler running while the event loop goes on (a first start compiles for seconds). */
export async function buildNativeAddonAsync(src: NativeAddonSource): Promise<string> {
  const p = plan(src);
  if (!p) return builtPath(src);
  try {
    await promisify(execFile)(p.cc, p.args);
    finish(p);
  } finally {
    rmSync(p.tmp, { recursive: true, force: true });
  }
  return p.out;
}
