import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure beside its baseline; `goal` is a comparison on `ratio` (or on `ours` without a baseline). */
export interface BenchMetric {
  metric: string;
  unit: string;
  ours: number;
  baseline: number | null;
  baselineName: string;
  ratio: number | null;
  goal: string;
}

/** What `npm run bench -- NAME` writes to bench/results/NAME.json. */
export interface BenchResult {
  benchmark: string;
  command: string;
  machine: string;
  date: string;
  results: BenchMetric[];
  notes?: string[];
  runs?: unknown;
}

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${process.platform}-${process.arch}`;
}

export { median } from '@quetzal/kernel/stats';

/** Whether a figure meets its goal (`">= 2"`, `"<= 1.05"`, ...). */
export function meetsGoal(m: BenchMetric): boolean | undefined {
  const match = /^\s*(>=|<=|>|<)\s*([0-9.e+-]+)\s*$/.exec(m.goal);
  const value = m.ratio ?? m.ours;
  if (!match || value === null) return undefined;
  const bound = Number(match[2]);
  return { '>=': value >= bound, '<=': value <= bound, '>': value > bound, '<': value < bound }[match[1] as '>=' | '<=' | '>' | '<'];
}

const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(4));

export function formatTable(result: BenchResult): string {
  const header = ['metric', 'unit', 'ours', 'baseline', 'ratio', 'goal', 'met'];
  const rows = result.results.map((m) => [m.metric, m.unit, fmt(m.ours), m.baseline === null ? '-' : `${fmt(m.baseline)} (${m.baselineName})`, fmt(m.ratio), m.goal, { true: 'yes', false: 'NO', undefined: '?' }[String(meetsGoal(m))]!]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`${result.benchmark} on ${result.machine} (${result.date})`, line(header), ...rows.map(line)].join('\n');
}

/** Prints the table and writes bench/results/<benchmark>.json (or the file named). */
export function report(result: BenchResult, fileName = `${result.benchmark}.json`): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, fileName);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatTable(result));
  console.log(`\nwritten to ${path}`);
  return path;
}
