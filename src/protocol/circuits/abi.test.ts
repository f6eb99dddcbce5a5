import { test } from 'node:test';
import assert from 'node:assert/strict';
import { array, encodedSize, field, flatten, fromAbi, sizeOf, snakeCase, struct, toAbi, unflatten } from './abi.js';
import { BLOCK_ROLLUP_OUTPUTS_LENGTH, PARITY_OUTPUTS_LENGTH, ROOT_PUBLIC_INPUTS_LENGTH, TX_PUBLIC_OUTPUTS_LENGTH, TX_ROLLUP_OUTPUTS_LENGTH } from '../constants.js';
import { CIRCUIT_SCHEMAS, BlockRollupOutputsSchema, ParityOutputsSchema, RootOutputsSchema, TxPublicOutputsSchema, TxRollupOutputsSchema } from './structs.js';
import { decodeCircuitInputs, encodeCircuitInputs, decodeProofResult, encodeProofResult } from './encoding.js';
import { FIELD_MODULUS } from '../hash/poseidon2.js';

const S = struct({ aB: field, l1ToL2Msgs: array(struct({ x: field, yZ: field }), 2) });

test('snake case matches the Noir field names', () => {
  assert.equal(snakeCase('l1ToL2MessageTree'), 'l1_to_l2_message_tree');
  assert.equal(snakeCase('l2ToL1Msgs'), 'l2_to_l1_msgs');
  assert.equal(snakeCase('nextAvailableLeafIndex'), 'next_available_leaf_index');
});

test('toAbi / fromAbi / flatten / unflatten round trip', () => {
  const v = { aB: 1n, l1ToL2Msgs: [{ x: 2n, yZ: FIELD_MODULUS - 1n }, { x: 4n, yZ: 5n }] };
  const abi = toAbi(S, v);
  assert.deepEqual(abi, {
    a_b: '0x' + '1'.padStart(64, '0'),
    l1_to_l2_msgs: [
      { x: '0x' + '2'.padStart(64, '0'), y_z: '0x' + (FIELD_MODULUS - 1n).toString(16).padStart(64, '0') },
      { x: '0x' + '4'.padStart(64, '0'), y_z: '0x' + '5'.padStart(64, '0') },
    ],
  });
  assert.deepEqual(fromAbi(S, abi), v);
  assert.deepEqual(flatten(S, v), [1n, 2n, FIELD_MODULUS - 1n, 4n, 5n]);
  assert.deepEqual(unflatten(S, [1n, 2n, FIELD_MODULUS - 1n, 4n, 5n]), v);
  assert.equal(sizeOf(S), 5);
});

test('encoding refuses malformed values with the path of the problem', () => {
  assert.throws(() => toAbi(S, { aB: FIELD_MODULUS, l1ToL2Msgs: [] } as never), /aB: field element out of range/);
  assert.throws(() => toAbi(S, { aB: 1n, l1ToL2Msgs: [{ x: 1n, yZ: 1n }] }), /l1ToL2Msgs: expected an array of 2/);
  assert.throws(() => toAbi(S, { aB: 1n, l1ToL2Msgs: [{ x: 1n }, { x: 1n, yZ: 1n }] } as never), /l1ToL2Msgs\[0\]\.yZ: missing/);
  assert.throws(() => unflatten(S, [1n]), /expected 5 fields/);
});

test('public output schemas have the lengths the circuits and constants say', () => {
  assert.equal(sizeOf(TxPublicOutputsSchema), TX_PUBLIC_OUTPUTS_LENGTH);
  assert.equal(sizeOf(ParityOutputsSchema), PARITY_OUTPUTS_LENGTH);
  assert.equal(sizeOf(TxRollupOutputsSchema), TX_ROLLUP_OUTPUTS_LENGTH);
  assert.equal(sizeOf(BlockRollupOutputsSchema), BLOCK_ROLLUP_OUTPUTS_LENGTH);
  assert.equal(sizeOf(RootOutputsSchema), ROOT_PUBLIC_INPUTS_LENGTH);
});

test('job input and result encodings round trip and are deterministic', () => {
  const inputs = { msgs: [1n, 2n, 3n, 0n, 0n, 0n, 0n, 0n], vkTreeRoot: 9n };
  const a = encodeCircuitInputs('parity-base', inputs);
  assert.deepEqual(a, encodeCircuitInputs('parity-base', { vkTreeRoot: 9n, msgs: [1n, 2n, 3n, 0n, 0n, 0n, 0n, 0n] }));
  assert.deepEqual(decodeCircuitInputs('parity-base', a), inputs);
  const result = {
    circuit: 'parity-base' as const,
    publicOutputs: { shaRoot: 1n, convertedRoot: 2n, vkTreeRoot: 3n },
    publicInputs: [1n, 2n, 3n],
    proof: [5n, 6n],
    vk: { fields: [7n], hash: 8n },
  };
  assert.deepEqual(decodeProofResult(encodeProofResult(result), 'parity-base'), result);
  assert.throws(() => decodeProofResult(encodeProofResult(result), 'merge'), /expected a merge result/);
});

test('every encoding of a schema has one size, known before reading it; larger inputs are refused unread', () => {
  const value = { aB: FIELD_MODULUS - 1n, l1ToL2Msgs: [{ x: 0n, yZ: 1n }, { x: 2n, yZ: 3n }] };
  assert.equal(JSON.stringify(toAbi(S, value)).length, encodedSize(S));
  assert.equal(JSON.stringify(toAbi(array(field, 0), [])).length, encodedSize(array(field, 0)));
  const zero = (schema: Parameters<typeof unflatten>[0]) => unflatten(schema, new Array(sizeOf(schema)).fill(0n));
  const inputs = zero(CIRCUIT_SCHEMAS.base.inputs);
  const encoded = encodeCircuitInputs('base', inputs as never);
  assert.equal(encoded.length, encodedSize(CIRCUIT_SCHEMAS.base.inputs));
  const padded = new Uint8Array(encoded.length + 1);
  padded.set(encoded);
  padded[encoded.length] = 0x20;
  assert.throws(() => decodeCircuitInputs('base', padded), new RegExp(`base inputs of ${encoded.length + 1} bytes: a base circuit's inputs encode to ${encoded.length} bytes`));
  assert.throws(() => decodeCircuitInputs('base', new Uint8Array(24 * 1024 * 1024)), /base inputs of 25165824 bytes/);
});
