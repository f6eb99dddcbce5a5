import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataDir, checkNodeVersion, coreChecks, lmdbHeadroomCheck } from './core-checks.js';
import { CheckPrerequisiteError, formatReport, pass, runChecks } from './doctor.js';
import { Redactor } from './redaction.js';
import { testCheckContext } from './testing.js';
import type { CoreConfig } from './core-plugins.js';

const GiB = 2 ** 30;

test('node-version fails below Node 20', () => {
  assert.equal(checkNodeVersion('v18.19.0').status, 'fail');
  assert.equal(checkNodeVersion('v20.1.0').status, 'pass');
});

test('data-dir fails when it is under a file or its disk is short of space, warns when space is low', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-datadir-'));
  try {
    writeFileSync(join(dir, 'file'), 'x');
    const underFile = checkDataDir(join(dir, 'file', 'data'));
    assert.equal(underFile.status, 'fail');
    assert.match(underFile.detail, /is a file, not a directory/);
    assert.equal(checkDataDir(join(dir, 'new'), { min: 2 ** 60, warn: 2 ** 61 }).status, 'fail', 'needs more than the disk has');
    const low = checkDataDir(dir, { min: 1, warn: 2 ** 60 });
    assert.equal(low.status, 'warn');
    assert.match(low.fix!, /plan for/);
    assert.equal(checkDataDir(dir, { min: 1, warn: 1 }).status, 'pass');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('port passes when free, fails when another program holds it; node fails when no node answers', async () => {
  const other = createServer((_req, res) => res.end('not quetzal'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  const port = (other.address() as { port: number }).port;
  try {
    const taken = coreChecks(testCheckContext({ port, host: '127.0.0.1' } as CoreConfig));
    const results = await runChecks(taken.map((check) => ({ plugin: 'kernel', check })), { timeoutMs: 5000, redactor: new Redactor() });
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    assert.equal(byName.port!.status, 'fail');
    assert.match(byName.port!.detail, /taken by a program that is not a Quetzal node/);
    assert.equal(byName.node!.status, 'fail');
  } finally {
    await new Promise((r) => other.close(r));
  }
  const free = coreChecks(testCheckContext({ port, host: '127.0.0.1' } as CoreConfig)).find((c) => c.name === 'port')!;
  assert.equal((await free.run()).status, 'pass');
});

test('LMDB headroom fails near a full map, warns past three quarters, passes before the store exists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-lmdb-'));
  try {
    const file = join(dir, 'data.mdb');
    assert.equal((await lmdbHeadroomCheck('x', file, GiB).run()).status, 'pass');
    const grow = (bytes: number) => {
      const fd = openSync(file, 'w');
      ftruncateSync(fd, Math.round(bytes)); // sparse: no disk used
      closeSync(fd);
    };
    grow(0.95 * GiB);
    const full = await lmdbHeadroomCheck('x', file, GiB).run();
    assert.equal(full.status, 'fail');
    assert.match(full.detail, /95\.0%/);
    grow(0.8 * GiB);
    assert.equal((await lmdbHeadroomCheck('x', file, GiB).run()).status, 'warn');
    grow(0.1 * GiB);
    assert.equal((await lmdbHeadroomCheck('x', file, GiB).run()).status, 'pass');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner fails a check that throws or hangs, keeps going, redacts secrets, and the report names the failures', async () => {
  const redactor = new Redactor();
  redactor.addSecretValue('tok-secret-123456');
  const results = await runChecks(
    [
      { plugin: 'a', check: { name: 'ok', run: async () => pass('fine') } },
      { plugin: 'a', check: { name: 'throws', run: async () => { throw new Error('boom with tok-secret-123456\nURL: details'); } } },
      { plugin: 'a', check: { name: 'missing', run: async () => { throw new CheckPrerequisiteError('no L1', 'pass --l1.rpc-urls'); } } },
      { plugin: 'b', check: { name: 'hangs', run: () => new Promise(() => {}) } },
    ],
    { timeoutMs: 50, redactor },
  );
  assert.deepEqual(results.map((r) => [r.name, r.status]), [['ok', 'pass'], ['throws', 'fail'], ['missing', 'fail'], ['hangs', 'fail']]);
  assert.equal(results[1]!.detail, 'the check failed: boom with [redacted]');
  assert.equal(results[2]!.fix, 'pass --l1.rpc-urls');
  assert.match(results[3]!.detail, /no answer within 50 ms/);
  const report = formatReport(results);
  assert.match(report, /^PASS {2}ok +fine$/m);
  assert.match(report, /3 check\(s\) failed: throws, missing, hangs$/);
});
