/**
 * World-state benchmark: Quetzal's LMDB world state against Aztec's native one
 * (NativeWorldStateService, C++ on LMDB, @aztec/world-state 4.1.2 through
 * shared/tools/aztec-baseline) on the same operations and tree heights, in the same run.
 *
 *   node --import tsx bench/world-state.ts     (writes bench/results/world-state.json, prints a table)
 *   npm run bench -- world-state
 *
 * Workload = Aztec's bench_world_state.mjs: N "txs" of 64 note hashes + 64 nullifiers.
 *  - fork writes: per tx, append the 64 note hashes (then read the root: Aztec hashes eagerly, we
 *    hash lazily, so the root read makes the work equal), then insert the 64 nullifiers with their
 *    witnesses (low leaf + sibling paths) and read the root; every 64 txs a block's bookkeeping
 *    (16 L1->L2 messages, the archive leaf).
 *  - sibling paths of random note-hash leaves, on the fork and on the committed state, sequential
 *    and all concurrent.
 *  - canonical sync: the same blocks committed to the persisted state (re-applied, hashed, written
 *    in one LMDB transaction per block).
 *  - fork creation (fork + close; then fork + first sibling path) and bytes on disk per leaf.
 * Tree heights are Aztec's (note hash 42, nullifier 42, public data 40, messages 36, archive 30).
 * Each side runs RUNS times (fresh directory each); the table shows medians. "up to 1M leaves":
 * WS_BENCH_LARGE=1 adds one run of each side at 15625 txs (1,000,000 note hashes + 1,000,000
 * nullifiers).
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { BlockTreeEffects } from '@quetzal/protocol/world-state';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { LmdbWorldState, getHasher, type TreeHeights } from '@quetzal/world-state';
import { machineDescription, report, type BenchResult } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const baselineDir = join(root, '..', 'shared', 'tools', 'aztec-baseline');
const baselineCache = process.env.AZTEC_BASELINE_DIR ?? join(homedir(), '.cache', 'quetzal-aztec-baseline');
const BASELINE = 'Aztec NativeWorldStateService (@aztec/world-state 4.1.2, C++/LMDB)';

const AZTEC_HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: 36,
  [TreeId.NOTE_HASH]: 42,
  [TreeId.NULLIFIER]: 42,
  [TreeId.PUBLIC_DATA]: 40,
  [TreeId.ARCHIVE]: 30,
};

const B = 64;

interface SideOut {
  leavesEach: number;
  appendLeavesPerSec: number;
  nullifierInsertsPerSec: number;
  syncLeavesPerSec: number;
  pathsOnForkSeqPerSec: number;
  pathsOnForkConcPerSec: number;
  pathsCommittedSeqPerSec: number;
  pathsCommittedConcPerSec: number;
  bytesPerLeaf: number;
  peakRssMiB: number;
  /** User + system CPU seconds of the whole run (the Aztec side: its bench_world_state process). */
  cpuSeconds: number;
  /** 1-minute load average of the machine at the end of the run. */
  loadAvg: number;
  forkMedianMs?: number;
  firstPathMedianMs?: number;
  hundredOpenForksMs?: number;
}

function randomField(): bigint {
  return BigInt('0x' + randomBytes(32).toString('hex')) % FIELD_MODULUS;
}

function duBytes(path: string): number {
  return Number(execFileSync('du', ['-sb', path]).toString().split('\t')[0]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One run of our world state on the workload. */
async function runOurs(numTxs: number, txsPerBlock: number, reads: number): Promise<SideOut> {
  // The run is mostly synchronous work, so timers rarely fire: sample at phase points too.
  let peakRss = 0;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const rssTimer = setInterval(sample, 20);
  const cpu0 = process.cpuUsage();
  const dir = mkdtempSync(join(tmpdir(), 'quetzal-ws-bench-'));
  try {
    const ws = await LmdbWorldState.open(dir, { heights: AZTEC_HEIGHTS });
    const noteHashes = Array.from({ length: numTxs }, () => Array.from({ length: B }, randomField));
    const nullifiers = Array.from({ length: numTxs }, () => Array.from({ length: B }, randomField));
    const leaves = numTxs * B;

    // ---- fork writes
    const fork = await ws.fork();
    let appendMs = 0;
    let nullMs = 0;
    const blocks: BlockTreeEffects[] = [];
    for (let b = 0, tx = 0; tx < numTxs; b++) {
      const e: BlockTreeEffects = { blockNumber: b + 1, noteHashes: [], nullifiers: [], publicDataWrites: [], l1ToL2Messages: Array(16).fill(0n), blockHash: randomField() };
      for (let k = 0; k < txsPerBlock && tx < numTxs; k++, tx++) {
        const t0 = performance.now();
        await fork.appendLeaves(TreeId.NOTE_HASH, noteHashes[tx]);
        await fork.getTreeInfo(TreeId.NOTE_HASH);
        const t1 = performance.now();
        await fork.insertNullifiers(nullifiers[tx]);
        await fork.getTreeInfo(TreeId.NULLIFIER);
        const t2 = performance.now();
        appendMs += t1 - t0;
        nullMs += t2 - t1;
        (e.noteHashes as bigint[]).push(...noteHashes[tx]);
        (e.nullifiers as bigint[]).push(...nullifiers[tx]);
      }
      await fork.appendLeaves(TreeId.L1_TO_L2_MESSAGES, e.l1ToL2Messages);
      await fork.appendLeaves(TreeId.ARCHIVE, [e.blockHash]);
      blocks.push(e);
      sample();
    }
    const forkState = await fork.getStateReference();

    const idxs = Array.from({ length: reads }, () => Math.floor(Math.random() * leaves));
    const readBench = async (view: { getSiblingPath(t: TreeId, i: number): Promise<unknown> }) => {
      let t0 = performance.now();
      for (const i of idxs) await view.getSiblingPath(TreeId.NOTE_HASH, i);
      const seq = reads / ((performance.now() - t0) / 1000);
      t0 = performance.now();
      await Promise.all(idxs.map((i) => view.getSiblingPath(TreeId.NOTE_HASH, i)));
      const conc = reads / ((performance.now() - t0) / 1000);
      return [seq, conc];
    };
    const [forkSeq, forkConc] = await readBench(fork);
    sample();
    await fork.close();

    // ---- canonical sync: the same blocks, committed
    const tB = performance.now();
    for (const e of blocks) {
      await ws.commitBlock(e);
      sample();
    }
    const syncMs = performance.now() - tB;
    const committed = ws.getCommitted();
    const state = await committed.getStateReference();
    if (state.noteHashTree.root !== forkState.noteHashTree.root || state.nullifierTree.root !== forkState.nullifierTree.root) {
      throw new Error('committed roots differ from the fork roots');
    }
    const [cSeq, cConc] = await readBench(committed);

    // ---- fork creation
    const forkMs: number[] = [];
    const firstPathMs: number[] = [];
    for (let i = 0; i < 500; i++) {
      let t = performance.now();
      const f = await ws.fork();
      forkMs.push(performance.now() - t);
      t = performance.now();
      await f.getSiblingPath(TreeId.NOTE_HASH, 0);
      firstPathMs.push(performance.now() - t);
      await f.close();
    }
    const t0 = performance.now();
    const open = [];
    for (let i = 0; i < 100; i++) open.push(await ws.fork());
    const hundredOpenForksMs = performance.now() - t0;
    for (const f of open) await f.close();

    await ws.close();
    const bytes = duBytes(dir);
    clearInterval(rssTimer);
    const cpu = process.cpuUsage(cpu0);
    return {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loadAvg: loadavg()[0],
      leavesEach: leaves,
      appendLeavesPerSec: leaves / (appendMs / 1000),
      nullifierInsertsPerSec: leaves / (nullMs / 1000),
      syncLeavesPerSec: (2 * leaves) / (syncMs / 1000),
      pathsOnForkSeqPerSec: forkSeq,
      pathsOnForkConcPerSec: forkConc,
      pathsCommittedSeqPerSec: cSeq,
      pathsCommittedConcPerSec: cConc,
      bytesPerLeaf: bytes / (2 * leaves),
      peakRssMiB: peakRss / 2 ** 20,
      forkMedianMs: median(forkMs),
      firstPathMedianMs: median(firstPathMs),
      hundredOpenForksMs,
    };
  } finally {
    clearInterval(rssTimer);
    rmSync(dir, { recursive: true, force: true });
  }
}

function execJson(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Record<string, unknown> & { __stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 64 * 2 ** 20, timeout: 3_600_000, ...opts }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      const s = stdout.slice(stdout.indexOf('{'));
      try {
        resolve({ ...JSON.parse(s), __stderr: stderr });
      } catch {
        reject(new Error(`no JSON from ${cmd}: ${stdout}\n${stderr}`));
      }
    }),
  );
}

const num = (s: unknown) => Number(String(s).replace(/,/g, ''));

function duHuman(s: string): number {
  const m = /^([\d.]+)([KMGT]?)$/.exec(s.trim());
  if (!m) return NaN;
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * mult;
}

/** One run of Aztec's world state (its own script) plus its fork-creation script. */
async function runAztec(numTxs: number, txsPerBlock: number, reads: number, withForks: boolean): Promise<SideOut> {
  // /usr/bin/time reports the CPU time of the whole Aztec process tree (setup already done).
  const o = await execJson('/usr/bin/time', ['-f', 'QUETZAL_CPU %U %S', join(baselineDir, 'run.sh'), 'bench_world_state', String(numTxs), String(txsPerBlock), String(reads)]);
  const cpuLine = /QUETZAL_CPU ([\d.]+) ([\d.]+)/.exec(o.__stderr);
  const fw = o.forkWrites as Record<string, Record<string, unknown>>;
  const pf = o.siblingPathsOnFork as Record<string, Record<string, unknown>>;
  const pc = o.siblingPathsOnCommitted as Record<string, Record<string, unknown>>;
  const cs = o.canonicalSyncCommit as Record<string, unknown>;
  if (cs.noteHashRootMatchesFork !== true || cs.nullifierRootMatchesFork !== true) throw new Error('Aztec roots differ between fork and sync');
  const leaves = Number(fw.leavesEach);
  const out: SideOut = {
    leavesEach: leaves,
    appendLeavesPerSec: num(fw.appendLeaves.leavesPerSec),
    nullifierInsertsPerSec: num(fw.batchInsertNullifiers.leavesPerSec),
    syncLeavesPerSec: num(cs.noteHashesPlusNullifiersPerSec),
    pathsOnForkSeqPerSec: num(pf.sequential.readsPerSec),
    pathsOnForkConcPerSec: num(pf.allConcurrent.readsPerSec),
    pathsCommittedSeqPerSec: num(pc.sequential.readsPerSec),
    pathsCommittedConcPerSec: num(pc.allConcurrent.readsPerSec),
    bytesPerLeaf: duHuman(String(o.dataDirDu)) / (2 * leaves),
    peakRssMiB: Number(o.peakRssMiB),
    cpuSeconds: cpuLine ? Number(cpuLine[1]) + Number(cpuLine[2]) : NaN,
    loadAvg: loadavg()[0],
  };
  if (withForks) {
    copyFileSync(join(here, 'aztec-world-state-fork.mjs'), join(baselineCache, 'aztec-world-state-fork.mjs'));
    const f = await execJson('./node.sh', ['./aztec-world-state-fork.mjs', '500'], { cwd: baselineCache, env: { ...process.env, LOG_LEVEL: 'warn' } });
    out.forkMedianMs = Number(f.forkMedianMs);
    out.firstPathMedianMs = Number(f.firstSiblingPathMedianMs);
    out.hundredOpenForksMs = Number(f.hundredOpenForksMs);
  }
  return out;
}

function medianOf(runs: SideOut[], k: keyof SideOut): number {
  return median(runs.map((r) => r[k] as number).filter((x) => Number.isFinite(x)));
}

export async function run(): Promise<BenchResult> {
  const numTxs = Number(process.env.WS_BENCH_TXS ?? 1563);
  const txsPerBlock = Number(process.env.WS_BENCH_TXS_PER_BLOCK ?? 64);
  const reads = Number(process.env.WS_BENCH_READS ?? 10_000);
  const runs = Number(process.env.WS_BENCH_RUNS ?? 3);
  const log = (m: string) => process.stderr.write(`[world-state bench] ${m}\n`);
  getHasher();

  const ours: SideOut[] = [];
  const aztec: SideOut[] = [];
  for (let r = 0; r < runs; r++) {
    log(`run ${r + 1}/${runs}: ours (${numTxs * B} note hashes + ${numTxs * B} nullifiers)`);
    ours.push(await runOurs(numTxs, txsPerBlock, reads));
    log(`run ${r + 1}/${runs}: aztec`);
    aztec.push(await runAztec(numTxs, txsPerBlock, reads, true));
  }
  let large: { ours: SideOut; aztec: SideOut } | undefined;
  if (process.env.WS_BENCH_LARGE === '1') {
    log('large run: ours, 1,000,000 + 1,000,000 leaves');
    const largeTxs = Number(process.env.WS_BENCH_LARGE_TXS ?? 15625);
    const o = await runOurs(largeTxs, txsPerBlock, reads);
    log(`large run: ours ${JSON.stringify(o)}`);
    log('large run: aztec, 1,000,000 + 1,000,000 leaves');
    const a = await runAztec(largeTxs, txsPerBlock, reads, false);
    log(`large run: aztec ${JSON.stringify(a)}`);
    large = { ours: o, aztec: a };
  }

  const leaves = numTxs * B;
  const metrics: [keyof SideOut, string, string, 'higher' | 'lower'][] = [
    ['appendLeavesPerSec', `note hash appends on a fork, batches of 64 + root (${leaves.toLocaleString('en-US')} leaves)`, 'leaves/s', 'higher'],
    ['nullifierInsertsPerSec', `nullifier inserts on a fork with witnesses, batches of 64 + root (${leaves.toLocaleString('en-US')} leaves)`, 'leaves/s', 'higher'],
    ['syncLeavesPerSec', 'canonical sync: blocks of 64 txs re-applied and committed (note hashes + nullifiers)', 'leaves/s', 'higher'],
    ['pathsOnForkSeqPerSec', 'sibling paths on the fork, sequential', 'paths/s', 'higher'],
    ['pathsOnForkConcPerSec', 'sibling paths on the fork, all concurrent', 'paths/s', 'higher'],
    ['pathsCommittedSeqPerSec', 'sibling paths on the committed state, sequential', 'paths/s', 'higher'],
    ['pathsCommittedConcPerSec', 'sibling paths on the committed state, all concurrent', 'paths/s', 'higher'],
    ['forkMedianMs', 'fork creation (median of 500)', 'ms', 'lower'],
    ['firstPathMedianMs', 'first sibling path on a new fork (median of 500)', 'ms', 'lower'],
    ['hundredOpenForksMs', '100 forks open at once (total creation time)', 'ms', 'lower'],
    ['bytesPerLeaf', 'bytes on disk per leaf (after sync; all history kept)', 'bytes', 'lower'],
    ['peakRssMiB', 'peak RSS of the run', 'MiB', 'lower'],
    ['cpuSeconds', 'CPU time (user + system) of the whole run, same workload', 's', 'lower'],
  ];
  const round = (x: number) => (x >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000);
  const results: BenchResult['results'] = (runs > 0 ? metrics : []).map(([k, metric, unit, better]) => {
    const o = medianOf(ours, k);
    const a = medianOf(aztec, k);
    const ratio = Number.isFinite(a) && a > 0 && o > 0 ? (better === 'higher' ? o / a : a / o) : null;
    return { metric, unit, ours: round(o), baseline: Number.isFinite(a) ? round(a) : null, baselineName: BASELINE, ratio: ratio === null ? null : Math.round(ratio * 100) / 100, goal: '>= 1' };
  });
  if (large) {
    for (const [k, metric] of [
      ['appendLeavesPerSec', 'note hash appends on a fork, batches of 64 + root (1,000,000 leaves)'],
      ['nullifierInsertsPerSec', 'nullifier inserts on a fork with witnesses, batches of 64 + root (1,000,000 leaves)'],
      ['syncLeavesPerSec', 'canonical sync (1,000,000 note hashes + 1,000,000 nullifiers)'],
      ['pathsCommittedSeqPerSec', 'sibling paths on the committed state, sequential (2M-leaf state)'],
      ['bytesPerLeaf', 'bytes on disk per leaf (2M-leaf state)'],
    ] as [keyof SideOut, string][]) {
      const o = large.ours[k] as number;
      const a = large.aztec[k] as number;
      const lower = k === 'bytesPerLeaf';
      results.push({ metric, unit: metrics.find((m) => m[0] === k)![2], ours: round(o), baseline: round(a), baselineName: BASELINE, ratio: Math.round((lower ? a / o : o / a) * 100) / 100, goal: '>= 1' });
    }
    results.push({
      metric: 'CPU time (user + system) of the whole 1M run',
      unit: 's',
      ours: round(large.ours.cpuSeconds),
      baseline: round(large.aztec.cpuSeconds),
      baselineName: BASELINE,
      ratio: Math.round((large.aztec.cpuSeconds / large.ours.cpuSeconds) * 100) / 100,
      goal: '>= 1',
    });
  }
  return {
    benchmark: 'world-state',
    command: 'npm run bench -- world-state',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results,
    notes: [
      `Same workload and tree heights as Aztec's bench_world_state.mjs (${runs > 0 ? numTxs : process.env.WS_BENCH_LARGE_TXS ?? 15625} txs x 64 note hashes + 64 nullifiers, blocks of ${txsPerBlock} txs, ${reads} random sibling-path reads); medians of ${runs} runs per side, run alternately in the same process tree.`,
      'ratio = ours / baseline for rates, baseline / ours for times and sizes: >= 1 means at least as good as Aztec.',
      `Hashing: ${getHasher().kind === 'native' ? 'in-process native Poseidon2 (C, N-API), checked against bb at load' : 'bb.js Poseidon2 (native build unavailable)'}; Aztec hashes in C++ (barretenberg).`,
      "Aztec's nullifier batchInsert inserts the 64 as one subtree (sorted, one low-leaf pass); ours inserts them one at a time in order, with a witness per nullifier, as the SPEC's base circuit consumes them.",
      "Aztec's bytes per leaf come from `du -sh` (rounded); ours from `du -sb`. Both keep every block's history.",
      `The machine is shared (2 cores; 1-minute load average during the runs: ours ${ours.map((r) => r.loadAvg.toFixed(1)).join(', ')}; Aztec ${aztec.map((r) => r.loadAvg.toFixed(1)).join(', ')}). Under load wall-clock rates depend on the CPU share each process gets (Aztec's C++ uses a thread pool; ours uses the main thread plus one hashing thread), so the CPU time of the whole run is reported too.`,
      'Fork creation on Aztec is measured by bench/aztec-world-state-fork.mjs on its committed (genesis) state; ours on the state after sync. Both are O(1) in the state size.',
    ],
    runs: { ours, aztec, ...(large ? { large } : {}) },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  report(await run(), process.env.WS_BENCH_OUT);
  process.exit(0);
}
