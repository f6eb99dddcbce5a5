// Runs node's test runner over the project's test files (node 20 takes no globs on the command line).
//   unit: every *.test.ts except the real-proof and Deno suites (npm test)
//   real: every *.real.test.ts (npm run test:real): slow, real Barretenberg proofs
//   deno: (npm run test:deno) the unit test files in DENO_UNIT under `deno test` (Deno runs node:test
//         files), then every *.deno.test.ts under node: drivers that start roles under Deno
//   stress: every *.stress.test.ts (npm run test:stress): floods that keep both cores busy, one file at a time
// Extra arguments are passed to node (e.g. --test-name-pattern=...), or narrow the files when they
// are paths.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [suite = 'unit', ...rest] = process.argv.slice(2);
if (!['unit', 'real', 'deno', 'stress'].includes(suite)) {
  console.error(`unknown suite "${suite}": use "unit", "real", "deno" or "stress"`);
  process.exit(2);
}
const SKIP = new Set(['node_modules', '.git', 'build', '.quetzal']);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.test.ts')) yield path;
  }
}

const isReal = (f) => f.endsWith('.real.test.ts');
const isDeno = (f) => f.endsWith('.deno.test.ts');
const isStress = (f) => f.endsWith('.stress.test.ts');
const inSuite = { unit: (f) => !isReal(f) && !isDeno(f) && !isStress(f), real: isReal, deno: isDeno, stress: isStress }[suite];
// Unit test files of the code that runs under Deno (the agent's path: worker pool, the three pool
// workers, agent, broker client and server, kernel); they also run under node in `unit`.
const DENO_UNIT = [
  'src/kernel/worker-pool.test.ts',
  'src/kernel/kernel.test.ts',
  'plugins/circuit-prover/src/simulated-prover.test.ts',
  'plugins/circuit-prover/src/crs/crs.test.ts',
  'plugins/prover-agent/src/agent.test.ts',
  'plugins/prover-broker/src/broker.test.ts',
  'plugins/prover-broker/src/rpc.test.ts',
];
const pathArgs = rest.filter((a) => !a.startsWith('-') && existsSync(a));
const nodeArgs = rest.filter((a) => !pathArgs.includes(a));
const selected = (f) => pathArgs.length === 0 || pathArgs.some((p) => f.startsWith(p.replace(/^\.\//, '')));
const files = ['src', 'plugins', 'test', 'examples', 'contracts', 'circuits', 'bench']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => [...walk(join(root, d))])
  .filter(inSuite)
  .map((f) => relative(root, f))
  .filter(selected)
  .sort();
const denoUnit = suite === 'deno' ? DENO_UNIT.filter(selected) : [];
if (files.length === 0 && denoUnit.length === 0) {
  console.error(`no ${suite} test files found`);
  process.exit(1);
}
if (denoUnit.length > 0) {
  // Type checking is `npm run typecheck`'s job (tsc); deno would re-check with its own TypeScript.
  const d = spawnSync('npx', ['--no-install', 'deno', 'test', '-A', '--no-check', ...denoUnit], { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  if (d.status !== 0 || files.length === 0) process.exit(d.status ?? 1);
}
// Real-proof files run one at a time: each bb takes ~2 GB and both cores, and suites race L1 deadlines; so do floods.
const concurrency = process.env.TEST_CONCURRENCY ?? (suite === 'real' || suite === 'stress' ? '1' : '2');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${concurrency}`, ...nodeArgs, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
