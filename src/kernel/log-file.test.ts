import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLogFile, logFiles } from './log-file.js';
import { createLogging } from './logging.js';
import { Redactor } from './redaction.js';

test('the log file rotates at its size limit and keeps a bounded number of files, oldest first in logFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-logfile-'));
  try {
    const file = new RotatingLogFile({ path: join(dir, 'quetzal.log'), maxBytes: 100, maxFiles: 3 });
    for (let i = 0; i < 40; i++) file.write(`{"n":${i},"pad":"${'x'.repeat(22 - String(i).length)}"}\n`);
    file.close();
    const files = logFiles(dir);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['quetzal.log.2', 'quetzal.log.1', 'quetzal.log']);
    for (const f of files) assert.ok(statSync(f).size <= 100, `${f} stays within the limit`);
    const lines = files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n')).map((l) => JSON.parse(l).n as number);
    assert.deepEqual(lines, Array.from({ length: lines.length }, (_, i) => 40 - lines.length + i), 'the newest lines survive, in order, none cut');
    // reopening appends to the current file
    const again = new RotatingLogFile({ path: join(dir, 'quetzal.log'), maxBytes: 100, maxFiles: 3 });
    const before = statSync(join(dir, 'quetzal.log')).size;
    again.write('{"n":999}\n');
    again.close();
    assert.equal(statSync(join(dir, 'quetzal.log')).size, before + 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the logger writes redacted JSON lines to its file besides the console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-logfile-'));
  try {
    const redactor = new Redactor();
    redactor.addSecretValue('s3cret-token-value');
    const consoleLines: string[] = [];
    const logging = createLogging({ level: 'info', pretty: false, redactor, destination: { write: (l: string) => void consoleLines.push(l) }, file: { path: join(dir, 'quetzal.log'), maxBytes: 1 << 20, maxFiles: 2 } });
    logging.forModule('broker').info({ authToken: 's3cret-token-value' }, 'token is s3cret-token-value');
    logging.forModule('broker').debug('below the level');
    const text = readFileSync(join(dir, 'quetzal.log'), 'utf8');
    assert.equal(text, consoleLines.join(''));
    assert.equal(text.trim().split('\n').length, 1);
    assert.ok(!text.includes('s3cret-token-value'));
    assert.equal(JSON.parse(text).module, 'broker');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
