// Real proofs through the prover node: an epoch of one block (one tx with its real client proof)
// is bid on, claimed, proven by a native-prover agent through the broker,
// and accepted by bb's generated HonkVerifier (root-single, dev CRS) in the Rollup on anvil.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Archiver, ArchiverStore } from '@quetzal/archiver';
import { encodeProposeArgs, RollupContract, rollupAbi } from '@quetzal/l1';
import { buildHonkVerifier, crsG2, NativeTxProofVerifier, verifierChoice, type NativeCircuitProver } from '@quetzal/circuit-prover';
import { ProvingAgent } from '@quetzal/prover-agent';
import { createProvingBroker, type ProvingBrokerService } from '@quetzal/prover-broker';
import { proveEncoded } from '@quetzal/protocol/circuits/encoding';
import { Tx } from '@quetzal/protocol/tx';
import { L1EpochProofPublisher, ProverNode, FixedQuoteProvider, BondManager } from '@quetzal/prover-node';
import { claim, setup, type Env } from '../l1/harness.js';
import { addBlock, MapTxProvider, newChain, syncedWorldState, txRequestInputs, type Chain } from '../prover-node/epoch-fixture.js';
import { devProver, TEST_DATA_DIR } from './native.js';

const MIN = 60_000;
const PROVER = 2;
const PROPOSER = 1;
const log = pino({ level: 'silent' });

let prover: NativeCircuitProver;
let env: Env;
let chain: Chain;
let dir: string;
let store: ArchiverStore;
let archiver: Archiver;
let broker: ProvingBrokerService;
let agent: ProvingAgent;
let txProofs: NativeTxProofVerifier;
let ws: Awaited<ReturnType<typeof syncedWorldState>>;

before(async () => {
  prover = await devProver();
  const vkTree = await prover.getVkTree();
  const build = await buildHonkVerifier(prover, { circuit: 'root-single', cacheDir: join(TEST_DATA_DIR, 'vks') });
  chain = newChain();
  env = await setup({ vkTreeRoot: vkTree.root, genesisArchiveRoot: chain.world.archive.root(), verifier: verifierChoice(build) });
  dir = mkdtempSync(join(tmpdir(), 'qz-pn-real-'));
  store = new ArchiverStore(join(dir, 'archiver'));
  archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 50 }, log);
  broker = await createProvingBroker({ logger: log });
  agent = new ProvingAgent({ consumer: broker, prove: (type, inputs, signal) => proveEncoded(prover, type, inputs, signal), pollIntervalMs: 100, logger: log });
  agent.start();
  ws = await syncedWorldState(chain, archiver);
  txProofs = new NativeTxProofVerifier({ vk: async () => (await prover.getVerificationKey('tx')).fields, g2: await crsG2(prover.crs, log), workers: 1, logger: log });
}, { timeout: 40 * MIN });

after(async () => {
  await txProofs?.stop();
  await agent?.stop();
  await broker?.stop();
  await ws?.close();
  await store?.close();
  await env?.stop();
  await prover?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an epoch proven with real proofs is accepted by the HonkVerifier on L1', { timeout: 30 * MIN }, async () => {
  // block 1 (one tx with its real client proof; block 1 consumes the always-empty message tree 1)
  const txProof = await prover.proveTx(txRequestInputs(1n, 0));
  const tx = new Tx(txProof.publicOutputs, txProof.proof);
  await env.warpToSlot(1);
  const slot = await env.currentSlot();
  const block = await addBlock(chain, [tx], [], { slot, timestamp: env.genesisTime + slot * env.slotDuration });
  await env.sender(PROPOSER).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: encodeProposeArgs(block) });

  await env.warpToSlot(4); // epoch 1, claim window of epoch 0 (a single block: root-single)
  await archiver.sync();
  const rollup = new RollupContract(env.client, env.deployment.addresses.rollup);
  const sender = env.sender(PROVER);
  let claimed = 0;
  const node = new ProverNode({
    client: env.client, rollup, chainId: 31337, sender, blockSource: archiver, worldState: ws.sync, producer: broker, txProvider: new MapTxProvider(chain.txs), txProofs,
    quoteSink: { submitEpochProofQuote: async (q) => void (await claim(env, PROPOSER, q), claimed++) },
    quoteProvider: new FixedQuoteProvider({ basisPointFee: 100, bondAmount: 200n }),
    bondManager: new BondManager({ client: env.client, sender, escrow: env.deployment.addresses.escrow, token: env.deployment.addresses.token, minimumDeposit: 500n, targetDeposit: 1000n }),
    publisher: new L1EpochProofPublisher({ rollup, sender, proverAddress: sender.address, retryIntervalMs: 1000 }),
    keys: { vkTree: await prover.getVkTree(), txVerificationKey: await prover.getVerificationKey('tx') },
    proverId: BigInt(sender.address), pollingIntervalMs: 500, logger: log,
  });
  await node.start();
  try {
    const until = Date.now() + 25 * MIN;
    while (!node.getJobs().some((j) => ['completed', 'failed', 'timed-out'].includes(j.state))) {
      assert.ok(Date.now() < until, 'the real epoch proof did not finish in 25 minutes');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const [job] = node.getJobs();
    assert.equal(job!.state, 'completed', job!.error);
    assert.equal(claimed, 1, 'the quote was sent and claimed');
    const [, proven] = await env.c.rollup.read.getTips();
    assert.equal(proven, 1n, 'the HonkVerifier accepted the root proof: the proven tip advanced');
    // a message-free block's parity proofs are the node's empty parity proofs (proven once, outside any epoch job)
    assert.equal(job!.jobs.done, 3, 'base, block-root, root-single');
  } finally {
    await node.stop();
  }
});
