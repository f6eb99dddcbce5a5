import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { bn254 } from '@noble/curves/bn254.js';
import { silentLogger } from '@quetzal/kernel/testing';
import { BN254_R, g1Powers, modPow } from './g1-powers.js';
import { DEV_CRS_SEED, devTau, g2Bytes, pairingCheck } from './dev-crs.js';
import { CrsError, crsG2, ensureCrs, inspectCrs } from './crs-manager.js';
import { IGNITION_G2, g2Point } from './g2.js';
import { acquireFileLock } from './file-lock.js';
import { substituteG2, IGNITION_G2_WORDS } from '../solidity-verifier.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'quetzal-crs-'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('dev tau is sha256 of the published seed mod r', () => {
  assert.equal(DEV_CRS_SEED, 'quetzal dev crs v1');
  assert.equal(devTau(), BigInt(`0x${createHash('sha256').update(DEV_CRS_SEED).digest('hex')}`) % BN254_R);
});

test('g1Powers: [tau^i]G1 in bb layout, equal to noble for any start index', () => {
  const tau = 0x1234567890abcdefn;
  const out = g1Powers(tau, 1000, 3);
  for (let k = 0; k < 3; k++) {
    const p = bn254.G1.Point.BASE.multiply(modPow(tau, BigInt(1000 + k), BN254_R)).toAffine();
    assert.equal(hex(out.subarray(64 * k, 64 * k + 64)), p.x.toString(16).padStart(64, '0') + p.y.toString(16).padStart(64, '0'));
  }
});

test('pairing check: consecutive powers pass, a swapped pair fails', () => {
  const tau = 77n;
  const pts = g1Powers(tau, 5, 2);
  const g2 = g2Bytes(tau);
  assert.equal(pairingCheck(pts.subarray(0, 64), pts.subarray(64), g2), true);
  assert.equal(pairingCheck(pts.subarray(64), pts.subarray(0, 64), g2), false);
});

test('substituteG2 replaces the four Ignition words in EIP-197 order, and refuses a template without them', () => {
  const g2 = g2Bytes(5n);
  const h = hex(g2);
  const src = `x ${IGNITION_G2_WORDS.join(' y ')} z`;
  assert.equal(substituteG2(src, g2), `x ${h.slice(64, 128)} y ${h.slice(0, 64)} y ${h.slice(192)} y ${h.slice(128, 192)} z`);
  assert.throws(() => substituteG2('no words here', g2), /G2 word 0 0 times/);
});

test("Ignition's [x]_2 is the point bb writes into its verifiers, and a valid G2 point", () => {
  assert.deepEqual(IGNITION_G2_WORDS, [
    '260e01b251f6f1c7e7ff4e580791dee8ea51d87a358e038b4efe30fac09383c1',
    '0118c4d5b837bcc2bc89b5b398b5974e9f5944073b32078b7e231fec938883b0',
    '04fc6369f7110fe3d25156c1bb9a72859cf2a04641f99ba4ee413c80da6a5fe4',
    '22febda3c0c0632a56475b4214e5615e11e6dd3f96e6cea2854a87d4dacc5e55',
  ]);
  assert.doesNotThrow(() => g2Point(IGNITION_G2));
  assert.throws(() => g2Point(Buffer.alloc(128, 1)));
});

test("crsG2: the CRS's [x]_2, checked against its [x]_1", async () => {
  const dataDir = tmp();
  const crs = await ensureCrs({ mode: 'dev', dataDir, logger: silentLogger(), points: 4, threads: 1 });
  const log = silentLogger();
  assert.equal(hex(await crsG2(crs, log)), hex(g2Bytes(devTau())));
  await assert.rejects(crsG2({ ...crs, g2: g2Bytes(5n) }, log), /bn254_g2.dat: the G2 point does not match the setup of bn254_g1.dat/);
  await assert.rejects(crsG2({ ...crs, mode: 'ignition', g2: undefined }, log), /bn254_g1.dat: the G2 point does not match/, "an Ignition copy without bn254_g2.dat gets Ignition's, which the dev G1 refuses");
  await assert.rejects(crsG2({ ...crs, g2: undefined }, log), /the dev CRS at .* has no bn254_g2.dat/);
});

test('ignition: a clear error when --crs-path is missing, the files are missing, too small, or the dev CRS', async () => {
  const logger = silentLogger();
  await assert.rejects(ensureCrs({ mode: 'ignition', dataDir: tmp(), logger }), (e: unknown) => e instanceof CrsError && /--crs-path is required/.test(e.message));
  const dir = tmp();
  await assert.rejects(ensureCrs({ mode: 'ignition', crsPath: dir, logger }), /bn254_g1.dat does not exist/);
  writeFileSync(join(dir, 'bn254_g1.dat'), Buffer.concat([Buffer.from(g1Powers(123n, 0, 4))]));
  await assert.rejects(ensureCrs({ mode: 'ignition', crsPath: dir, logger }), /holds 4 points; the circuits need 2097152/);
  writeFileSync(join(dir, 'bn254_g1.dat'), g1Powers(devTau(), 0, 4));
  await assert.rejects(ensureCrs({ mode: 'ignition', crsPath: dir, logger, points: 4 }), /INSECURE dev CRS, not Ignition/);
  writeFileSync(join(dir, 'bn254_g1.dat'), Buffer.alloc(256, 1));
  assert.match(inspectCrs({ mode: 'ignition', crsPath: dir }).problem!, /does not start with the BN254 generator/);
});

test('dev: generated once (deterministic, size-checked), a truncated file is regenerated, concurrent callers share it', { timeout: 120_000 }, async () => {
  const dataDir = tmp();
  const logger = silentLogger();
  const [a, b] = await Promise.all([ensureCrs({ mode: 'dev', dataDir, logger, points: 40, threads: 1 }), ensureCrs({ mode: 'dev', dataDir, logger, points: 40, threads: 1 })]);
  assert.equal(a, b);
  const g1 = join(dataDir, 'crs', 'dev', 'bn254_g1.dat');
  assert.deepEqual(new Uint8Array(readFileSync(g1)), g1Powers(devTau(), 0, 40));
  assert.equal(hex(readFileSync(join(dataDir, 'crs', 'dev', 'bn254_g2.dat'))), hex(g2Bytes(devTau())));
  assert.equal(existsSync(join(dataDir, 'crs', 'dev', '.lock')), false);

  truncateSync(g1, 64 * 40 - 10);
  assert.equal(inspectCrs({ mode: 'dev', dataDir, points: 40 }).sufficient, false);
  const again = await ensureCrs({ mode: 'dev', dataDir, logger, points: 41, threads: 1 });
  assert.equal(again.points, 41);
  assert.equal(again.id, a.id);
});

test('file lock: waits for a live holder, takes over a dead one', async () => {
  const dir = tmp();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, '.lock');
  // a holder that is certainly dead: a child that has exited
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  writeFileSync(path, String(child.pid));
  const l1 = await acquireFileLock(path);
  assert.equal(readFileSync(path, 'utf8'), String(process.pid));
  l1.release();
  // a live holder (our parent process): we wait until it is gone
  writeFileSync(path, String(process.ppid));
  let waitedFor: number | undefined;
  const pending = acquireFileLock(path, { pollMs: 20, onWait: (pid) => (waitedFor = pid) });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(waitedFor, process.ppid);
  rmSync(path);
  (await pending).release();
});
