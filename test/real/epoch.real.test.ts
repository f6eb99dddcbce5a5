// Real proofs end to end: a tx's client proof verified inside a real base proof, then a whole
// single-block epoch (1 tx and its L1->L2 messages) through parity-base x2, parity-root,
// block-root and root-single, whose root proof bb's generated HonkVerifier (dev G2) accepts on
// anvil, and rejects once a proof byte or a public input is changed. The world is seeded (test only)
// at genesis block 2^32 - 1, so the block is the last one the trees hold: message subtree 2^32 - 1
// and archive leaf 2^32.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, http, toHex, type Abi, type Address, type Hex, type PublicClient } from 'viem';
import { ANVIL_DEFAULT_PRIVATE_KEYS, L1TxSender, deployL1Contracts, startAnvil, type AnvilInstance } from '@quetzal/l1';
import { CircuitExecutionError, type CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { L1_TO_L2_MSG_TREE_HEIGHT, MAX_L2_BLOCK_NUMBER, PROOF_LENGTH } from '@quetzal/protocol/constants';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  blockConstants,
  buildBaseInputs,
  buildBlockRootInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  buildRootSingleInputs,
} from '@quetzal/protocol/circuits/block-building';
import { TestWorld } from '@quetzal/protocol/circuits/fixtures';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import type { BaseInputs, BlockConstants } from '@quetzal/protocol/circuits/structs';
import { bbChildren, NativeCircuitProver as Prover, type NativeCircuitProver, buildHonkVerifier, verifierChoice, type HonkVerifierBuild } from '@quetzal/circuit-prover';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';
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
const GENESIS_BLOCK = BigInt(MAX_L2_BLOCK_NUMBER) - 1n;
const globals = new GlobalVariables(chainId, version, GENESIS_BLOCK + 1n, 3n, 1_700_000_036n, 0x1234n);
let constants: BlockConstants;
let base: CircuitProofResult<'base'>;
let baseInputs: BaseInputs;
let baseTx: CircuitProofResult<'tx'>;

before(async () => {
  prover = await devProver();
  vkTree = await prover.getVkTree();
  world = TestWorld.genesis({ chainId, version, balances: [[feePayerOf(secret), 1_000_000n]], genesisBlockNumber: GENESIS_BLOCK });
  constants = blockConstants(world.archiveSnapshot(), globals, vkTree.root);
}, { timeout: 40 * MIN });

after(() => prover?.stop());

test('a tx proof verified inside a real base proof', { timeout: 10 * MIN }, async () => {
  const tx = await prover.proveTx(
    buildTxCircuitInputs({ secret, nonce: 1n, chainId, version, transactionFee: 500n, noteHashes: [7n, 8n], extraNullifiers: [], l2ToL1Msgs: [{ recipient: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n, content: 99n }] }),
  );
  assert.equal(tx.proof.length, PROOF_LENGTH);
  assert.equal(tx.vk.hash, vkTree.vkHash('tx'));

  // A child proof whose VK hash is not the tx leaf of the VK tree is refused before bb runs.
  const forged = { ...childProofOf(tx, vkTree), vkHash: tx.vk.hash + 1n };
  const scratch = TestWorld.genesis({ chainId, version, balances: [[feePayerOf(secret), 1_000_000n]] });
  await assert.rejects(
    prover.proveBase(await buildBaseInputs(scratch.fork(), { tx: tx.publicOutputs, txProof: forged, constants })),
    (e: unknown) => e instanceof CircuitExecutionError && e.circuit === 'base',
  );

  baseInputs = await buildBaseInputs(world.fork(), { tx: tx.publicOutputs, txProof: childProofOf(tx, vkTree), constants });
  baseTx = tx;
  base = await prover.proveBase(baseInputs);
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
  const previousHeader = world.lastHeader;
  const { witness } = await world.finishBlock({ txEffects: [new Tx(baseTx.publicOutputs, baseTx.proof).toEffect()], l1ToL2Messages: messages, globals });
  const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs: base, parity, previousHeader, witness, vkTree }));
  assert.equal(blockRoot.publicOutputs.newArchive.nextAvailableLeafIndex, BigInt(MAX_L2_BLOCK_NUMBER) + 1n, 'the block is archive leaf 2^32');
  assert.equal(world.l1ToL2.size(), 2 ** L1_TO_L2_MSG_TREE_HEIGHT, 'its messages filled the L1->L2 message tree');
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

test('a cancelled or timed-out proof kills its bb; the prover keeps working', { timeout: 10 * MIN }, async () => {
  assert.ok(baseInputs, 'needs the base inputs of the first test');
  const bbAlive = () => new Set(bbChildren().map((p) => p.pid));
  const waitForBb = async (before: Set<number>) => {
    for (let i = 0; i < 600; i++) {
      const fresh = [...bbAlive()].filter((p) => !before.has(p));
      if (fresh.length) return fresh[0]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no bb process appeared');
  };
  const gone = async (pid: number) => {
    for (let i = 0; i < 100 && bbAlive().has(pid); i++) await new Promise((r) => setTimeout(r, 50));
    return !bbAlive().has(pid);
  };

  const own = new Prover({ crs: prover.crs, vkCacheDir: join(TEST_DATA_DIR, 'vks'), logger: testLogger, threads: 1, timeoutMs: 60 * MIN });
  try {
    const before = bbAlive();
    const controller = new AbortController();
    const proving = own.proveBase(baseInputs, { signal: controller.signal });
    const pid = await waitForBb(before);
    await new Promise((r) => setTimeout(r, 1000)); // into the proof
    controller.abort(new Error('cancelled by the test'));
    await assert.rejects(proving, /cancelled by the test/);
    assert.ok(await gone(pid), `bb ${pid} still runs after the cancel`);
    // the pool replaced the killed worker: the next proof runs on a fresh bb, which stop() ends
    const fresh = bbAlive();
    await own.proveTx(buildTxCircuitInputs({ secret, nonce: 3n, chainId, version, transactionFee: 1n, noteHashes: [], extraNullifiers: [], l2ToL1Msgs: [] }));
    const second = [...bbAlive()].find((p) => !fresh.has(p));
    assert.ok(second, 'the next proof ran on a new bb');
    await own.stop();
    assert.ok(await gone(second), `bb ${second} still runs after stop()`);
  } finally {
    await own.stop();
  }

  const slow = new Prover({ crs: prover.crs, vkCacheDir: join(TEST_DATA_DIR, 'vks'), logger: testLogger, threads: 1, timeoutMs: 3000 });
  try {
    const before = bbAlive();
    const proving = slow.proveBase(baseInputs);
    const pid = await waitForBb(before);
    await assert.rejects(proving, /did not finish within 3000 ms; its process was killed/);
    assert.ok(await gone(pid), `bb ${pid} still runs after the timeout`);
  } finally {
    await slow.stop();
  }
  // the shared prover (its own bb) is unaffected
  assert.equal((await prover.proveTx(buildTxCircuitInputs({ secret, nonce: 2n, chainId, version, transactionFee: 1n, noteHashes: [], extraNullifiers: [], l2ToL1Msgs: [] }))).proof.length, PROOF_LENGTH);
});

function hex32Bytes(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

/** The whole L1 deployment with the HonkVerifier as the Rollup's verifier; returns the verifier. */
async function deployVerifier(anvil: AnvilInstance, build: HonkVerifierBuild, vkTreeRoot: bigint): Promise<Address> {
  const d = await deployL1Contracts({ rpcUrls: anvil.url, privateKey: ANVIL_DEFAULT_PRIVATE_KEYS[0], verifier: verifierChoice(build), vkTreeRoot });
  return d.addresses.verifier;
}
