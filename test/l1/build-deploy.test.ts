import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, http, parseAbi, type PublicClient } from 'viem';
import * as TS_CONSTANTS from '@quetzal/protocol/constants';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import {
  ABIS, CONTRACTS_SRC, compileSolidity, deployL1Contracts, deploymentFromJson, deploymentToJson, linkBytecode, loadArtifact, readSources,
  rollupAbi, startAnvil, L1TxRevertedError, type AnvilInstance,
} from '@quetzal/l1';
import { KEYS } from './harness.js';

describe('contract build', () => {
  it('Constants.sol carries the values of src/protocol/constants.ts', () => {
    const sol = readFileSync(join(CONTRACTS_SRC, 'libraries/Constants.sol'), 'utf8');
    const found = [...sol.matchAll(/uint256 internal constant (\w+) =\s*([\d_]+);/g)].map(([, k, v]) => [k!, BigInt(v!.replace(/_/g, ''))] as const);
    assert.ok(found.length >= 20);
    for (const k of ['NOTE_HASH_TREE_HEIGHT', 'NULLIFIER_TREE_HEIGHT', 'PUBLIC_DATA_TREE_HEIGHT', 'L1_TO_L2_MSG_TREE_HEIGHT', 'ARCHIVE_TREE_HEIGHT', 'MAX_L2_BLOCK_NUMBER']) {
      assert.ok(found.some(([name]) => name === k), `Constants.sol has no ${k}`);
    }
    const ts = TS_CONSTANTS as unknown as Record<string, number>;
    for (const [k, v] of found) {
      if (k === 'FIELD_MODULUS') assert.equal(v, FIELD_MODULUS);
      else if (k === 'MAX_FEE_BITS') assert.equal(v, 128n);
      else if (k === 'HEADER_SIZE_BYTES') assert.equal(v, BigInt(ts.HEADER_LENGTH! * 32));
      else if (k === 'TX_EFFECT_FEE_OFFSET') assert.equal(v, 32n);
      else if (k === 'TX_EFFECT_FIRST_NULLIFIER_OFFSET') assert.equal(v, BigInt(32 * (3 + ts.MAX_NOTE_HASHES_PER_TX!)));
      else if (k === 'TX_EFFECT_L2_TO_L1_MSGS_OFFSET') assert.equal(v, BigInt(32 * (3 + ts.MAX_NOTE_HASHES_PER_TX! + ts.MAX_NULLIFIERS_PER_TX!)));
      else assert.equal(v, BigInt(ts[k]!), k);
    }
  });

  it('the checked-in typed ABIs match a fresh compilation; every contract fits EIP-170', () => {
    const out = compileSolidity(readSources());
    for (const [name, abi] of Object.entries(ABIS)) {
      assert.deepEqual(out[name]!.abi, abi, `${name}: src/l1/generated/abis.ts is stale, run scripts/build-contracts.ts`);
      assert.ok(out[name]!.deployedSize <= 24_576, `${name} is ${out[name]!.deployedSize} bytes`);
      assert.equal(loadArtifact(name as keyof typeof ABIS).bytecode, out[name]!.bytecode, `${name}: build/contracts is stale`);
    }
  });

  it('compileSolidity reports errors and links libraries', () => {
    assert.throws(() => compileSolidity({ 'Bad.sol': 'contract {' }), /solc failed/);
    const out = compileSolidity({ 'A.sol': LINKED_VERIFIER });
    assert.ok(Object.keys(out.TestVerifier!.linkReferences).length > 0);
    assert.throws(() => linkBytecode(out.TestVerifier!, {}), /no address to link/);
    const linked = linkBytecode(out.TestVerifier!, { CheckLib: '0x00000000000000000000000000000000000000aa' });
    assert.ok(linked.includes('00000000000000000000000000000000000000aa'));
  });
});

const LINKED_VERIFIER = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;
library CheckLib { function nonEmpty(bytes32[] calldata xs) external pure returns (bool) { return xs.length > 0; } }
contract TestVerifier { function verify(bytes calldata, bytes32[] calldata pi) external pure returns (bool) { return CheckLib.nonEmpty(pi); } }
`;

describe('deployL1Contracts', () => {
  let anvil: AnvilInstance;
  let client: PublicClient;
  before(async () => {
    anvil = await startAnvil();
    client = createPublicClient({ transport: http(anvil.url), cacheTime: 0 }) as PublicClient;
  });
  after(async () => anvil?.stop());

  it('refuses bad windows, values outside the field and a zero verifier with the constructor\'s custom errors', async () => {
    const base = { rpcUrls: anvil.url, privateKey: KEYS[1] };
    for (const [opts, name] of [
      [{ epochDuration: 17 }, 'InvalidEpochDuration'],
      [{ epochDuration: 4, claimWindow: 0 }, 'InvalidClaimWindow'],
      [{ epochDuration: 4, claimWindow: 5 }, 'InvalidClaimWindow'],
      [{ epochDuration: 4, claimWindow: 2, proofSubmissionWindow: 1 }, 'InvalidProofSubmissionWindow'],
      [{ slotDuration: 0 }, 'InvalidSlotDuration'],
      [{ vkTreeRoot: FIELD_MODULUS }, 'FieldOutOfRange'],
      [{ genesisArchiveRoot: FIELD_MODULUS + 1n }, 'FieldOutOfRange'],
      [{ version: FIELD_MODULUS }, 'FieldOutOfRange'],
      [{ verifier: { kind: 'address', address: '0x0000000000000000000000000000000000000000' } }, 'ZeroVerifier'],
    ] as const) {
      await assert.rejects(deployL1Contracts({ ...base, ...opts }), (e: unknown) => e instanceof L1TxRevertedError && e.errorName === name);
    }
  });

  it('deploys a library-linked verifier artifact and round-trips the deployment file', async () => {
    const out = compileSolidity({ 'A.sol': LINKED_VERIFIER });
    const d = await deployL1Contracts({
      rpcUrls: anvil.url, privateKey: KEYS[2], verifier: { kind: 'artifact', artifact: out.TestVerifier!, libraries: { CheckLib: out.CheckLib! } },
      sequencers: ['0x70997970c51812dc3a010c7d01b50e0d17dc79c8'], vkTreeRoot: 5n, epochDuration: 2, claimWindow: 1, proofSubmissionWindow: 3,
    });
    assert.equal(d.verifierKind, 'artifact');
    assert.equal(await client.readContract({ address: d.addresses.rollup, abi: rollupAbi, functionName: 'verifier' }), d.addresses.verifier);
    const verifyAbi = parseAbi(['function verify(bytes, bytes32[]) view returns (bool)']);
    assert.equal(await client.readContract({ address: d.addresses.verifier, abi: verifyAbi, functionName: 'verify', args: ['0x', []] }), false);
    assert.equal(await client.readContract({ address: d.addresses.verifier, abi: verifyAbi, functionName: 'verify', args: ['0x', ['0x' + '00'.repeat(32) as `0x${string}`]] }), true);
    assert.deepEqual(await client.readContract({ address: d.addresses.rollup, abi: rollupAbi, functionName: 'getSequencers' }), ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8']);
    assert.equal(await client.readContract({ address: d.addresses.rollup, abi: rollupAbi, functionName: 'vkTreeRoot' }), '0x' + '0'.repeat(63) + '5');
    assert.equal(await client.readContract({ address: d.addresses.rollup, abi: rollupAbi, functionName: 'EPOCH_DURATION' }), 2n);
    assert.deepEqual(deploymentFromJson(deploymentToJson(d)), d);
    assert.throws(() => deploymentFromJson('{"chainId": 1}'), /deployment file/);
  });
});
