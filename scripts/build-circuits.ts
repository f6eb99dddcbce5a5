// Compiles every Noir crate of circuits/ with noir_wasm into build/circuits/<name>.json.
// Skipped when nothing changed: the cache key (sha256 of every circuit source + the noir_wasm
// version) is stored beside the artifacts in build/circuits/.cache-key.
//   node --import tsx scripts/build-circuits.ts [--force] [name ...]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const circuitsDir = join(root, 'circuits');
const outDir = join(root, 'build', 'circuits');
const keyFile = join(outDir, '.cache-key');

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'target' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.nr') || name.endsWith('.toml')) yield path;
  }
}

/** The crates to compile: every member of the workspace that is a binary. */
export function circuitCrates(): string[] {
  const ws = readFileSync(join(circuitsDir, 'Nargo.toml'), 'utf8');
  const members = [...ws.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return members.filter((m) => /type\s*=\s*"bin"/.test(readFileSync(join(circuitsDir, m, 'Nargo.toml'), 'utf8')));
}

export function sourcesKey(): string {
  const noirWasmVersion = JSON.parse(
    readFileSync(join(root, 'node_modules', '@noir-lang', 'noir_wasm', 'package.json'), 'utf8'),
  ).version as string;
  const h = createHash('sha256').update(`noir_wasm ${noirWasmVersion}\n`);
  for (const f of walk(circuitsDir)) h.update(relative(circuitsDir, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const only = args.filter((a) => !a.startsWith('--'));
  if (!existsSync(join(circuitsDir, 'Nargo.toml'))) return;
  const crates = circuitCrates().filter((c) => only.length === 0 || only.includes(c));
  const key = sourcesKey();
  const upToDate =
    !force && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === key && crates.every((c) => existsSync(join(outDir, `${c}.json`)));
  if (upToDate) {
    console.log(`circuits: up to date (${crates.length} artifacts in build/circuits)`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const { compile, createFileManager } = await import('@noir-lang/noir_wasm');
  const t0 = performance.now();
  for (const crate of crates) {
    const t = performance.now();
    const res = await compile(createFileManager(join(circuitsDir, crate)), undefined, () => {}, () => {});
    const program = (res as { program: unknown }).program;
    const tmp = join(outDir, `${crate}.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(program));
    renameSync(tmp, join(outDir, `${crate}.json`));
    console.log(`circuits: compiled ${crate} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  // Only a full build records the key (a partial one leaves the other artifacts stale).
  if (only.length === 0) {
    writeFileSync(`${keyFile}.${process.pid}.tmp`, key + '\n');
    renameSync(`${keyFile}.${process.pid}.tmp`, keyFile);
  }
  console.log(`circuits: ${crates.length} compiled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    const err = e as { message?: string; diagnostics?: unknown[] };
    console.error('circuits: compile failed:', err.message ?? e);
    for (const d of err.diagnostics ?? []) console.error(JSON.stringify(d));
    process.exit(1);
  });
}
