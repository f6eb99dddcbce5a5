// The TypeScript schemas have the exact layout of each compiled circuit's ABI: parameter names and
// order (all private), and the return struct's fields in declaration order (which is the order of
// the proof's public inputs). So flatten(schema) is what bb exposes and what parents verify.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT_NAMES } from '@quetzal/protocol/circuit-names';
import { snakeCase, type Schema } from '@quetzal/protocol/circuits/abi';
import { loadCircuitArtifact } from '@quetzal/protocol/circuits/artifacts';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { CIRCUIT_SCHEMAS } from '@quetzal/protocol/circuits/structs';

type AbiType =
  | { kind: 'field' }
  | { kind: 'integer'; sign: string; width: number }
  | { kind: 'boolean' }
  | { kind: 'array'; length: number; type: AbiType }
  | { kind: 'struct'; path: string; fields: { name: string; type: AbiType }[] };

/** Layout as a comparable string: field names in order, array lengths, Field leaves. */
function ofAbi(t: AbiType): string {
  switch (t.kind) {
    case 'field':
      return 'F';
    case 'array':
      return `[${ofAbi(t.type)};${t.length}]`;
    case 'struct':
      return `{${t.fields.map((f) => `${f.name}:${ofAbi(f.type)}`).join(',')}}`;
    default:
      return `?${t.kind}`;
  }
}

function ofSchema(s: Schema): string {
  switch (s.kind) {
    case 'field':
      return 'F';
    case 'array':
      return `[${ofSchema(s.of)};${s.length}]`;
    case 'struct':
      return `{${Object.entries(s.fields as Record<string, Schema>).map(([k, f]) => `${snakeCase(k)}:${ofSchema(f)}`).join(',')}}`;
  }
}

before(() => ensureCircuitsBuilt());

for (const circuit of CIRCUIT_NAMES) {
  test(`${circuit}: schemas match the compiled ABI`, () => {
    const { abi } = loadCircuitArtifact(circuit) as unknown as {
      abi: { parameters: { name: string; type: AbiType; visibility: string }[]; return_type: { abi_type: AbiType; visibility: string } };
    };
    const params: AbiType = { kind: 'struct', path: 'main', fields: abi.parameters.map((p) => ({ name: p.name, type: p.type })) };
    assert.equal(ofAbi(params), ofSchema(CIRCUIT_SCHEMAS[circuit].inputs));
    assert.ok(abi.parameters.every((p) => p.visibility === 'private'), 'every input is private');
    assert.equal(abi.return_type.visibility, 'public');
    assert.equal(ofAbi(abi.return_type.abi_type), ofSchema(CIRCUIT_SCHEMAS[circuit].outputs));
  });
}
