import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LmdbWorldState } from '@quetzal/world-state';
import { KILL_HEIGHTS, killEffects } from './kill-effects.js';
import { tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./kill-child.ts', import.meta.url));

/** Runs the child until it has committed `blocks` more blocks, waits `delayMs`, kills it with SIGKILL. */
function runAndKill(dir: string, blocks: number, delayMs: number, midWrite = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, KILL_MIDWRITE: midWrite ? '1' : '0' };
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let last = -1;
    let seen = 0;
    let buf = '';
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const m = /^(ready|committed|midwrite) (\d+)$/.exec(l);
        if (!m) continue;
        if (m[1] === 'midwrite') {
          p.kill('SIGKILL');
          continue;
        }
        last = Number(m[2]);
        if (m[1] === 'committed' && ++seen === blocks) setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

test('kill -9 at any point leaves the last committed block; a restart resumes', { timeout: 120_000 }, async () => {
  const d = tempDir();
  const fresh = tempDir();
  try {
    let lastReported = 0;
    // killed inside the LMDB write transaction of a block (twice), then at different delays after
    // a commit (landing in hashing, writing or between blocks)
    for (const [delay, midWrite] of [[0, true], [0, true], [0, false], [60, false], [115, false]] as const) {
      lastReported = await runAndKill(d.path, midWrite ? 10 : 1, delay, midWrite);
      const ws = await LmdbWorldState.open(d.path, { heights: KILL_HEIGHTS });
      const latest = (await ws.getStatus()).latestBlockNumber;
      if (midWrite) assert.equal(latest, lastReported, 'the block killed inside its transaction is not there');
      else assert.ok(latest >= lastReported && latest <= lastReported + 1, `latest ${latest}, child reported ${lastReported}`);
      await ws.close();
    }
    // the surviving state equals a clean replay of the same blocks
    const ws = await LmdbWorldState.open(d.path, { heights: KILL_HEIGHTS });
    const latest = (await ws.getStatus()).latestBlockNumber;
    const ref = await LmdbWorldState.open(fresh.path, { heights: KILL_HEIGHTS });
    for (let b = 1; b <= latest; b++) await ref.commitBlock(killEffects(b));
    assert.deepEqual(await ws.getCommitted().getStateReference(), await ref.getCommitted().getStateReference());
    assert.deepEqual(await ws.getSnapshot(1).getStateReference(), await ref.getSnapshot(1).getStateReference());
    // and it goes on from there
    await ws.commitBlock(killEffects(latest + 1));
    await ref.commitBlock(killEffects(latest + 1));
    assert.deepEqual(await ws.getCommitted().getStateReference(), await ref.getCommitted().getStateReference());
    await ws.close();
    await ref.close();
  } finally {
    d.cleanup();
    fresh.cleanup();
  }
});
