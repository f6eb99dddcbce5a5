import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogging, parseLevelSpec, levelFor } from './logging.js';
import { Redactor } from './redaction.js';

function capture(level: string, redactor = new Redactor()) {
  const lines: Record<string, unknown>[] = [];
  const logging = createLogging({ level, pretty: false, redactor, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { logging, lines };
}

test('LOG_LEVEL gives each module its own level, sub-modules inherit', () => {
  const spec = parseLevelSpec('warn;debug:prover-broker,archiver;error:world-state');
  assert.equal(levelFor(spec, 'prover-broker'), 'debug');
  assert.equal(levelFor(spec, 'archiver:sync'), 'debug');
  assert.equal(levelFor(spec, 'world-state'), 'error');
  assert.equal(levelFor(spec, 'prover-node'), 'warn');
  assert.throws(() => parseLevelSpec('loud'), /unknown level "loud"/);
});

test('loggers filter by their module level', () => {
  const { logging, lines } = capture('info;debug:prover-broker');
  logging.forModule('prover-broker').debug('visible');
  logging.forModule('archiver').debug('hidden');
  logging.forModule('archiver').info('shown');
  assert.deepEqual(lines.map((l) => l.msg), ['visible', 'shown']);
  assert.equal(lines[0]!.module, 'prover-broker');
});

test('secrets are redacted at any depth, in bindings, errors and message text', () => {
  const redactor = new Redactor();
  const key = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
  redactor.addSecretValue(key);
  const { logging, lines } = capture('info', redactor);
  const log = logging.forModule('prover-node').child({ settings: { publisher: { privateKey: 'abc-secret-1' } } });
  log.info({ config: { nested: { deeper: [{ authToken: 'tok-123456', bondTokenAddress: '0x1234' }] } } }, `signing with ${key}`);
  log.error({ err: new Error(`could not use key ${key.slice(2)}`) }, 'failed');
  const text = JSON.stringify(lines);
  assert.ok(!text.includes('abc-secret-1'), 'binding secret leaked');
  assert.ok(!text.includes('tok-123456'), 'nested token leaked');
  assert.ok(!text.includes(key.slice(2)), 'key value leaked');
  assert.match(text, /"bondTokenAddress":"0x1234"/, 'a non-secret key that mentions token was redacted');
  assert.equal((lines[0]!.config as { nested: { deeper: { authToken: string }[] } }).nested.deeper[0]!.authToken, '[redacted]');
  assert.match(String(lines[1]!.msg), /failed/);
  assert.match(JSON.stringify(lines[1]!.err), /could not use key \[redacted\]/);
});
