import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT_NAMES } from '@quetzal/protocol/circuit-names';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { measureGates, parseBbGates, verifierTarget } from './gates.js';

test('parseBbGates reads bb gates JSON output', () => {
  assert.deepEqual(parseBbGates('{"functions": [\n  {\n "acir_opcodes": 37,\n "circuit_size": 2973\n }\n]}'), { acirOpcodes: 37, gates: 2973 });
  assert.throws(() => parseBbGates('Scheme is: ultra_honk'), /unexpected bb gates output/);
});

test('verifier targets: root circuits for the EVM, the rest recursive', () => {
  assert.equal(verifierTarget('root'), 'evm');
  assert.equal(verifierTarget('root-single'), 'evm');
  assert.equal(verifierTarget('merge'), 'noir-recursive');
});

before(() => ensureCircuitsBuilt());

test('every circuit fits 2^21 gates (bb gates)', { timeout: 300_000 }, async () => {
  const rows = await measureGates();
  assert.deepEqual(rows.map((r) => r.circuit), [...CIRCUIT_NAMES]);
  for (const r of rows) {
    assert.ok(r.gates > 0 && r.acirOpcodes > 0, `${r.circuit}: ${JSON.stringify(r)}`);
    assert.ok(r.withinLimit, `${r.circuit} has ${r.gates} gates > 2^21`);
  }
  // the 2-proof circuits carry two recursive verifications (~1.47M)
  for (const c of ['merge', 'block-merge', 'root'] as const) assert.ok(rows.find((r) => r.circuit === c)!.gates > 1_400_000, c);
});
