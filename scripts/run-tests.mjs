// Runs node's test runner over the project's test files (node 20 takes no globs on the command line).
//   unit: every *.test.ts except the real-proof suites (npm test)
//   real: every *.real.test.ts (npm run test:real): slow, real Barretenberg proofs
//   stress: every *.stress.test.ts (npm run test:stress): floods that keep both cores busy, one file at a time
// Extra arguments are passed to node (e.g. --test-name-pattern=...), or narrow the files when they
// are paths.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [suite = 'unit', ...rest] = process.argv.slice(2);
if (!['unit', 'real', 'stress'].includes(suite)) {
  console.error(`unknown suite "${suite}": use "unit", "real" or "stress"`);
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

const suiteOf = (f) => (f.endsWith('.real.test.ts') ? 'real' : f.endsWith('.stress.test.ts') ? 'stress' : 'unit');
const pathArgs = rest.filter((a) => !a.startsWith('-') && existsSync(a));
const nodeArgs = rest.filter((a) => !pathArgs.includes(a));
const files = ['src', 'plugins', 'test', 'examples', 'contracts', 'circuits', 'bench']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => [...walk(join(root, d))])
  .filter((f) => suiteOf(f) === suite)
  .map((f) => relative(root, f))
  .filter((f) => pathArgs.length === 0 || pathArgs.some((p) => f.startsWith(p.replace(/^\.\//, ''))))
  .sort();
if (files.length === 0) {
  console.error(`no ${suite} test files found`);
  process.exit(1);
}
// Real-proof files run one at a time: each bb takes ~2 GB and both cores, and suites race L1 deadlines.
const concurrency = process.env.TEST_CONCURRENCY ?? (suite === 'unit' ? '2' : '1');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...nodeArgs, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
