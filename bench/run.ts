// `npm run bench -- NAME [args]`: runs bench/NAME.ts's `run()`, prints its table and writes
// bench/results/NAME.json.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { report, type BenchResult } from './report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME, where NAME is one of: ${available.join(', ')}`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run?: (args: string[]) => Promise<BenchResult> };
if (typeof mod.run !== 'function') {
  console.error(`bench/${name}.ts does not export run()`);
  process.exit(2);
}
const result = await mod.run(process.argv.slice(3));
report(result);
