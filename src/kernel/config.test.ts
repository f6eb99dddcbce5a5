import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, redactedConfig, ConfigError } from './config.js';
import { corePlugin } from './core-plugins.js';
import { definePlugin } from './plugin.js';
import { option } from './options.js';

const agent = definePlugin({
  name: 'prover-agent',
  description: 'test',
  role: { description: 'test' },
  options: {
    count: option.int({ description: 'jobs', env: 'T_COUNT', default: 1, min: 1 }),
    brokerUrl: option.url({ description: 'broker', env: 'T_URL' }),
    authToken: option.string({ description: 'token', env: 'T_TOKEN', secret: true }),
    proofTypes: option.list({ description: 'types', env: 'T_TYPES' }),
  },
});
const plugins = [corePlugin, agent];

function presets(content: object) {
  const dir = mkdtempSync(join(tmpdir(), 'qz-presets-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'local.json'), JSON.stringify(content));
  writeFileSync(join(dir, 'other.json'), '{}');
  return dir;
}

test('precedence is flags > env > config file > preset > default', () => {
  const presetsDir = presets({ proverAgent: { count: 2, brokerUrl: 'http://preset:1', proofTypes: ['base'] } });
  const file = join(presetsDir, 'my.json');
  writeFileSync(file, JSON.stringify({ port: 9001, proverAgent: { count: 3, brokerUrl: 'http://file:1' } }));
  const resolve = (flags: Record<string, unknown>, env: Record<string, string>) => resolveConfig(plugins, { flags: { config: file, ...flags }, env, presetsDir });

  let c = resolve({}, {});
  assert.equal(c.proverAgent!.count, 3);
  assert.equal(c.proverAgent!.brokerUrl, 'http://file:1');
  assert.deepEqual(c.proverAgent!.proofTypes, ['base']);
  assert.equal(c.core!.port, 9001);
  assert.equal(c.core!.host, '127.0.0.1');

  c = resolve({}, { T_COUNT: '4', T_TYPES: 'merge, root' });
  assert.equal(c.proverAgent!.count, 4);
  assert.deepEqual(c.proverAgent!.proofTypes, ['merge', 'root']);

  c = resolve({ 'prover-agent.count': '5', port: '9002' }, { T_COUNT: '4', QUETZAL_PORT: '9003' });
  assert.equal(c.proverAgent!.count, 5);
  assert.equal(c.core!.port, 9002);
});

test('bad values name the option, its env var and where the value came from', () => {
  const presetsDir = presets({});
  assert.throws(
    () => resolveConfig(plugins, { flags: {}, env: { T_COUNT: 'zero', T_URL: 'ftp://x' }, presetsDir }),
    (e: unknown) => e instanceof ConfigError && /--prover-agent\.count \(env T_COUNT\).*from env T_COUNT/.test(e.message) && /--prover-agent\.broker-url/.test(e.message),
  );
});

test('unknown keys in a config file are refused with a suggestion', () => {
  const presetsDir = presets({});
  const file = join(presetsDir, 'typo.json');
  writeFileSync(file, JSON.stringify({ proverAgent: { cuont: 2 } }));
  assert.throws(() => resolveConfig(plugins, { flags: { config: file }, env: {}, presetsDir }), /unknown option "proverAgent.cuont"; did you mean "proverAgent.count"/);
});

test('an unknown network names the presets there are', () => {
  assert.throws(() => resolveConfig(plugins, { flags: { network: 'mainnet' }, env: {}, presetsDir: presets({}) }), /--network mainnet: no such network preset; available: .*local.*other/);
});

test('a missing config file is a clear error', () => {
  assert.throws(() => resolveConfig(plugins, { flags: { config: '/nonexistent/q.json' }, env: {}, presetsDir: presets({}) }), /config file \/nonexistent\/q.json.*ENOENT.*check the path/);
});

test('redactedConfig hides secret options', () => {
  const c = resolveConfig(plugins, { flags: {}, env: { T_TOKEN: 'super-secret-token' }, presetsDir: presets({}) });
  assert.equal(c.proverAgent!.authToken, 'super-secret-token');
  assert.equal(redactedConfig(plugins, c).proverAgent!.authToken, '[redacted]');
});
