// Real proofs end to end: a tx's client proof verified inside a real base proof, then a whole
// single-block epoch (1 tx and its L1->L2 messages) through parity-base x2, parity-root,
// block-root and root-single, whose root proof bb's generated HonkVerifier (dev G2) accepts on
// anvil, and rejects once a proof byte or a public input is changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, http, toHex, type Abi, type Address, type Hex, type PublicClient } from 'viem';
import { ANVIL_DEFAULT_PRIVATE_KEYS, L1TxSender, deployL1Contracts, startAnvil, type AnvilInstance } from '@quetzal/l1';
import { CircuitExecutionError, type CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  buildBaseInputs,
  buildBlockRootInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  buildRootSingleInputs,
} from '@quetzal/protocol/circuits/builders';
import { globalVariablesToCircuit, snapshotToCircuit } from '@quetzal/protocol/circuits/convert';
import { TestWorld } from '@quetzal/protocol/circuits/fixtures';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';
import type { NativeCircuitProver } from '@quetzal/circuit-prover/native-prover';
import { buildHonkVerifier, verifierChoice, type HonkVerifierBuild } from '@quetzal/circuit-prover/solidity-verifier';
import { TEST_DATA_DIR, devProver, testLogger } from './native.js';
import { join } from 'node:path';

const chainId = 31337n;
const version = 1n;
const secret = 4242n;
const proverId = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;
const MIN = 60_000;

let prover: NativeCircuitProver;
let vkTree: VkTree;
let world: TestWorld;
let constants: ReturnType<typeof blockConstants>;
let base: CircuitProofResult<'base'>;

function blockConstants(w: TestWorld, tree: VkTree) {
  const globals = new GlobalVariables(chainId, version, 1n, 3n, 1_700_000_036n, 0x1234n);
  return { lastArchive: snapshotToCircuit(w.archiveSnapshot()), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: tree.root };
}

before(async () => {
  prover = await devProver();
  vkTree = await prover.getVkTree();
  world = TestWorld.genesis({ chainId, version, balances: [[feePayerOf(secret), 1_000_000n]] });
  constants = blockConstants(world, vkTree);
}, { timeout: 40 * MIN });

after(() => prover?.stop());

test('a tx proof verified inside a real base proof', { timeout: 10 * MIN }, async () => {
  const tx = await prover.proveTx(
    buildTxCircuitInputs({ secret, nonce: 1n, chainId, version, transactionFee: 500n, noteHashes: [7n, 8n], extraNullifiers: [], l2ToL1Msgs: [99n] }),
  );
  assert.equal(tx.proof.length, PROOF_LENGTH);
  assert.equal(tx.vk.hash, vkTree.vkHash('tx'));

  // A child proof whose VK hash is not the tx leaf of the VK tree is refused before bb runs.
  const forged = { ...childProofOf(tx, vkTree), vkHash: tx.vk.hash + 1n };
  const scratch = TestWorld.genesis({ chainId, version, balances: [[feePayerOf(secret), 1_000_000n]] });
  await assert.rejects(
    prover.proveBase(buildBaseInputs({ tx: tx.publicOutputs, txProof: forged, constants, trees: scratch.trees })),
    (e: unknown) => e instanceof CircuitExecutionError && e.circuit === 'base',
  );

  base = await prover.proveBase(buildBaseInputs({ tx: tx.publicOutputs, txProof: childProofOf(tx, vkTree), constants, trees: world.trees }));
  assert.equal(base.proof.length, PROOF_LENGTH);
  assert.equal(base.publicOutputs.numTxs, 1n);
  assert.equal(base.publicOutputs.accumulatedFees, 500n);
  assert.equal(base.vk.hash, vkTree.vkHash('base'));
});

test('a single-block epoch proven for real; its root proof verified on anvil, tampering rejected', { timeout: 30 * MIN }, async (t) => {
  assert.ok(base, 'needs the base proof of the previous test');
  const messages = [101n, 102n, 103n];
  const [pb0, pb1] = buildParityBaseInputs(messages, vkTree.root);
  const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(pb0!), await prover.proveParityBase(pb1!), vkTree));
  const blockRoot = await prover.proveBlockRoot(
    buildBlockRootInputs({ txs: base, parity, previousHeader: world.lastHeader, archive: world.archive, l1ToL2: world.l1ToL2, l1ToL2Messages: messages, vkTree }),
  );
  const root = await prover.proveRootSingle(buildRootSingleInputs(blockRoot, proverId, vkTree));
  assert.equal(root.publicInputs.length, 55);
  assert.equal(root.publicOutputs.vkTreeRoot, vkTree.root);
  assert.equal(root.publicOutputs.proverId, proverId);

  const anvil = await startAnvil();
  t.after(() => anvil.stop());
  const proof = toHex(new Uint8Array(root.proof.flatMap((f) => [...hex32Bytes(f)])));
  const publicInputs = root.publicInputs.map((f) => toHex(hex32Bytes(f)));
  const client = createPublicClient({ transport: http(anvil.url), cacheTime: 0 }) as PublicClient;

  for (const optimized of [false, true]) {
    const build = await buildHonkVerifier(prover, { circuit: 'root-single', optimized, cacheDir: join(TEST_DATA_DIR, 'vks') });
    const verifier = await deployVerifier(anvil, build, vkTree.root);
    const call = (p: Hex, pis: Hex[]) => client.readContract({ address: verifier, abi: build.artifact.abi as Abi, functionName: 'verify', args: [p, pis] });
    assert.equal(await call(proof, publicInputs), true, `${optimized ? 'optimized' : 'standard'} verifier accepts the root proof`);

    const badPis = [...publicInputs];
    badPis[2] = toHex(hex32Bytes(root.publicInputs[2]! ^ 1n)); // the block's header hash
    await assert.rejects(call(proof, badPis), `${optimized ? 'optimized' : 'standard'}: a changed public input is rejected`);
    const badProof = `${proof.slice(0, 200)}${proof[200] === '0' ? '1' : '0'}${proof.slice(201)}` as Hex;
    await assert.rejects(call(badProof, publicInputs), `${optimized ? 'optimized' : 'standard'}: a changed proof is rejected`);

    const sender = new L1TxSender({ rpcUrls: anvil.url, privateKey: ANVIL_DEFAULT_PRIVATE_KEYS[1] });
    const sent = await sender.sendContractTx({ address: verifier, abi: build.artifact.abi as Abi, functionName: 'verify', args: [proof, publicInputs] } as never);
    testLogger.info({ verifier: optimized ? 'optimized' : 'standard', verifyGas: Number(sent.receipt.gasUsed), libraries: Object.keys(build.libraries) }, 'root verifier gas');
  }
});

function hex32Bytes(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

/** The whole L1 deployment with the HonkVerifier as the Rollup's verifier; returns the verifier. */
async function deployVerifier(anvil: AnvilInstance, build: HonkVerifierBuild, vkTreeRoot: bigint): Promise<Address> {
  const d = await deployL1Contracts({ rpcUrls: anvil.url, privateKey: ANVIL_DEFAULT_PRIVATE_KEYS[0], verifier: verifierChoice(build), vkTreeRoot });
  return d.addresses.verifier;
}
