// Build steps that produce artifacts the runtime reads (compiled circuits, contract artifacts).
// Each step caches on a hash of its sources, so `npm ci` and `npm run build` are cheap when nothing changed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const steps = ['scripts/build-circuits.ts', 'scripts/build-contracts.ts'].filter((s) => existsSync(root + s));
for (const step of steps) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', step, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build step ${step} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}
