import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_CHAIN_ID, ANVIL_DEFAULT_PRIVATE_KEYS } from './anvil.js';
import { resolveL1Key } from './keys.js';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const base = { flag: '--x.key', fileFlag: '--x.key-file', devIndex: 2 };

test('a key from the option, else from the file, else (anvil only, nothing given) the dev key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-keys-'));
  const file = join(dir, 'k');
  writeFileSync(file, `${KEY}\n`);
  assert.deepEqual(resolveL1Key({ ...base, key: KEY, chainId: 1 }), { key: KEY });
  assert.deepEqual(resolveL1Key({ ...base, keyFile: file, chainId: 1 }), { key: KEY });
  const logged: object[] = [];
  assert.deepEqual(resolveL1Key({ ...base, chainId: ANVIL_CHAIN_ID }, { info: (o) => logged.push(o) }), { key: ANVIL_DEFAULT_PRIVATE_KEYS[2], devAccount: 2 });
  assert.equal(logged.length, 1);
  assert.ok(!JSON.stringify(logged).includes(ANVIL_DEFAULT_PRIVATE_KEYS[2]!.slice(2)), 'the dev key is not logged');
  assert.throws(() => resolveL1Key({ ...base, chainId: 1 }), /no L1 key: pass --x\.key or --x\.key-file \(chain 1 is not anvil/);
});

test('bad keys and key files are refused naming the option and file, never echoing the value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-keys-'));
  const empty = join(dir, 'empty');
  writeFileSync(empty, ' \n');
  // an empty file never falls back to the dev key, even on anvil
  assert.throws(() => resolveL1Key({ ...base, keyFile: empty, chainId: ANVIL_CHAIN_ID }), new RegExp(`--x\\.key-file ${empty} is empty`));
  assert.throws(() => resolveL1Key({ ...base, keyFile: join(dir, 'missing'), chainId: 1 }), /cannot read --x\.key-file .*missing: ENOENT/);
  const secretish = '0xnot-a-key-but-a-secret-looking-string';
  assert.throws(() => resolveL1Key({ ...base, key: secretish, chainId: 1 }), (e: Error) => /--x\.key: an L1 key must be 32 bytes/.test(e.message) && !e.message.includes('secret-looking'));
  assert.throws(() => resolveL1Key({ ...base, key: `0x${'0'.repeat(64)}`, chainId: ANVIL_CHAIN_ID }), /--x\.key: not a valid secp256k1 private key/);
  assert.throws(() => resolveL1Key({ ...base, key: `0x${'f'.repeat(64)}`, chainId: 1 }), /not a valid secp256k1 private key/);
});
