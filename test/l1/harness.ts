// Shared set-up for the contract tests: an anvil of its own, the contracts deployed with small windows, block
// builders and time travel by slot.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import { createPublicClient, http, toHex, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ANVIL_DEFAULT_PRIVATE_KEYS, anvilRpc, deployL1Contracts, getL1Contracts, L1TxSender, L1TxRevertedError, loadArtifact, mockVerifierAbi, rollupAbi,
  type AnvilInstance, type DeployL1Options, type L1Deployment, type L1Contracts, startAnvil,
} from '@quetzal/l1';
import {
  AppendOnlyTreeSnapshot, BlockHeader, Body, ContentCommitment, GlobalVariables, StateReference, TxEffect, addressToField, computeInHash,
} from '@quetzal/protocol/block';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import { sha256ToField, toBytes32 } from '@quetzal/protocol/hash/sha256';
import { signEpochProofQuote, type EpochProofQuote, type SignedEpochProofQuote } from '@quetzal/protocol/quote';

export const KEYS = ANVIL_DEFAULT_PRIVATE_KEYS;
export const accounts = KEYS.map((k) => privateKeyToAccount(k));
export const DEPLOYER = 0;

export const bytesHex = (b: Uint8Array): Hex => toHex(b);
export const fieldHex = (v: bigint): Hex => toHex(toBytes32(v));

export interface Env {
  anvil: AnvilInstance;
  client: PublicClient;
  deployment: L1Deployment;
  c: L1Contracts;
  /** senders by anvil account index (created on demand). */
  sender(i: number): L1TxSender;
  genesisTime: bigint;
  slotDuration: bigint;
  epochDuration: bigint;
  /** Mines an empty L1 block 1 s into `slot`; later txs land in the same slot. */
  warpToSlot(slot: bigint | number): Promise<void>;
  currentSlot(): Promise<bigint>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  stop(): Promise<void>;
}

export async function setup(opts: Partial<DeployL1Options> = {}): Promise<Env> {
  const anvil = await startAnvil();
  const client = createPublicClient({ transport: http(anvil.url), cacheTime: 0 }) as PublicClient;
  const deployment = await deployL1Contracts({
    rpcUrls: anvil.url,
    privateKey: KEYS[DEPLOYER],
    slotDuration: 60, // long slots: a slow machine cannot drift out of a slot mid-test
    epochDuration: 4,
    claimWindow: 2,
    proofSubmissionWindow: 6,
    blockReward: 1000n,
    minimumBond: 100n,
    escrowWithdrawDelay: 60,
    vkTreeRoot: 0x1234n,
    genesisArchiveRoot: 0xa0n,
    mints: [1, 2, 3, 4].map((i) => ({ to: accounts[i]!.address, amount: 1_000_000n })),
    ...opts,
  });
  const senders = new Map<number, L1TxSender>();
  const sender = (i: number) => {
    let s = senders.get(i);
    if (!s) {
      s = new L1TxSender({ publicClient: client, privateKey: KEYS[i]!, stuckTimeoutMs: 60_000, receiptTimeoutMs: 30_000, pollIntervalMs: 20 });
      senders.set(i, s);
    }
    return s;
  };
  const genesisTime = deployment.genesisTime;
  const slotDuration = BigInt(deployment.params.slotDuration);
  const epochDuration = BigInt(deployment.params.epochDuration);
  const c = getL1Contracts(client, deployment.addresses);
  return {
    anvil, client, deployment, c, sender, genesisTime, slotDuration, epochDuration,
    async warpToSlot(slot) {
      const latest = await client.getBlock();
      const ts = genesisTime + BigInt(slot) * slotDuration + 1n;
      assert.ok(ts > latest.timestamp, `cannot warp back to slot ${slot}`);
      await anvilRpc.mineAt(anvil.url, ts);
    },
    currentSlot: () => c.rollup.read.getCurrentSlot(),
    snapshot: () => anvilRpc.snapshot(anvil.url),
    async revert(id) {
      await anvilRpc.revert(anvil.url, id);
      for (const s of senders.values()) s.resyncNonce();
    },
    stop: () => anvil.stop(),
  };
}

/**
 * Registers a test file's hooks: one anvil with the contracts deployed (`setup(opts)`), handed to `use`, and every
 * test starting from the state after deployment (an anvil snapshot reverted after each test).
 */
export function envPerFile(use: (env: Env) => void, opts: Partial<DeployL1Options> = {}): void {
  let env: Env | undefined;
  let snap = '';
  before(async () => {
    env = await setup(opts);
    use(env);
  });
  after(async () => env?.stop());
  beforeEach(async () => {
    snap = await env!.snapshot();
  });
  afterEach(async () => env!.revert(snap));
}

/** Asserts that `p` rejects with the named custom error; returns the decoded args. */
export async function rejectsWith(p: Promise<unknown>, errorName: string): Promise<readonly unknown[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof L1TxRevertedError, `expected L1TxRevertedError(${errorName}), got ${(e as Error).stack}`);
    assert.equal(e.errorName, errorName, e.message);
    return e.revert!.args;
  }
  assert.fail(`expected a revert with ${errorName}`);
}

// ---------------------------------------------------------------- blocks

export function effect(seed: bigint, msgs: bigint[] = [], fee = 5n): TxEffect {
  return new TxEffect(seed, fee, 77n, [seed + 1n], [seed + 2n], msgs);
}

export interface BuiltBlock {
  header: BlockHeader;
  headerHex: Hex;
  archive: bigint;
  body: Body;
  bodyHex: Hex;
}

export interface BlockSpec {
  blockNumber: bigint;
  slot: bigint;
  lastArchive: bigint;
  txs?: TxEffect[];
  inHashLeaves?: bigint[];
  coinbase?: Address;
  totalFees?: bigint;
  chainId?: bigint;
  version?: bigint;
  timestamp?: bigint;
  env: Pick<Env, 'genesisTime' | 'slotDuration'>;
  /** Override fields after the honest header is built. */
  tamper?: (f: bigint[]) => void;
}

export function buildBlock(s: BlockSpec): BuiltBlock {
  const body = new Body(s.txs ?? [effect(s.blockNumber * 100n)]);
  const header = new BlockHeader(
    new AppendOnlyTreeSnapshot(s.lastArchive, s.blockNumber),
    new ContentCommitment(BigInt(body.numTxs), body.txsEffectsHash(), computeInHash(s.inHashLeaves ?? []), body.outHash()),
    // the message tree holds blocks 1..N's messages (L1 checks that); the other trees are arbitrary here
    new StateReference(new AppendOnlyTreeSnapshot(0n, s.blockNumber * BigInt(L1_TO_L2_MSGS_PER_BLOCK)), AppendOnlyTreeSnapshot.empty(), AppendOnlyTreeSnapshot.empty(), AppendOnlyTreeSnapshot.empty()),
    new GlobalVariables(
      s.chainId ?? 31337n,
      s.version ?? 1n,
      s.blockNumber,
      s.slot,
      s.timestamp ?? s.env.genesisTime + s.slot * s.env.slotDuration,
      addressToField(s.coinbase ?? accounts[5]!.address),
    ),
    s.totalFees ?? body.txEffects.reduce((a, e) => a + e.transactionFee, 0n),
  );
  let h = header;
  if (s.tamper) {
    const f = header.toFields();
    s.tamper(f);
    h = BlockHeader.fromFields(f);
  }
  const archive = sha256ToField(new TextEncoder().encode(`archive-${s.blockNumber}-${s.slot}-${s.lastArchive}`));
  return { header: h, headerHex: bytesHex(h.toBytes()), archive, body, bodyHex: bytesHex(body.encode()) };
}

/** Proposes an honest block at the current slot on top of the pending tip. */
export async function proposeNext(env: Env, proposer = 1, spec: Partial<BlockSpec> = {}): Promise<BuiltBlock & { gasUsed: bigint }> {
  // propose prunes first when it can, so build on the proven tip then
  const pending = (await env.c.rollup.read.canPrune()) ? await env.c.rollup.read.getProvenBlockNumber() : await env.c.rollup.read.getPendingBlockNumber();
  const last = await env.c.rollup.read.getBlock([pending]);
  const b = buildBlock({ blockNumber: pending + 1n, slot: await env.currentSlot(), lastArchive: BigInt(last.archive), env, ...spec });
  const sent = await env.sender(proposer).sendContractTx({
    address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: [b.headerHex, fieldHex(b.archive), b.bodyHex],
  });
  return { ...b, gasUsed: sent.receipt.gasUsed };
}

// ---------------------------------------------------------------- quotes

export async function signQuote(env: Env, proverIdx: number, q: Partial<EpochProofQuote> & { epochToProve: bigint }): Promise<SignedEpochProofQuote> {
  const quote: EpochProofQuote = { validUntilSlot: 1_000n, bondAmount: 100n, prover: accounts[proverIdx]!.address, basisPointFee: 2000, ...q };
  return signEpochProofQuote(accounts[proverIdx]!, quote, { chainId: 31337, rollup: env.deployment.addresses.rollup });
}

export async function fundEscrow(env: Env, proverIdx: number, amount: bigint): Promise<void> {
  const s = env.sender(proverIdx);
  const { token, escrow } = env.deployment.addresses;
  await s.sendContractTx({ address: token, abi: env.c.token.abi, functionName: 'approve', args: [escrow, amount] });
  await s.sendContractTx({ address: escrow, abi: env.c.escrow.abi, functionName: 'deposit', args: [amount] });
}

export async function claim(env: Env, proposerIdx: number, signed: SignedEpochProofQuote) {
  return env.sender(proposerIdx).sendContractTx({
    address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'claimEpochProofRight', args: [signed.quote, signed.signature],
  });
}

export async function setExpectedPublicInputs(env: Env, fields: readonly bigint[] | null): Promise<void> {
  const { keccak256, concat } = await import('viem');
  const h = fields === null ? fieldHex(0n) : keccak256(concat(fields.map(fieldHex)));
  await env.sender(DEPLOYER).sendContractTx({ address: env.deployment.addresses.verifier, abi: mockVerifierAbi, functionName: 'setExpectedPublicInputsHash', args: [h] });
}

// ---------------------------------------------------------------- seeding (test only)

/**
 * Test-only: makes the deployed chain continue from block `g` with archive root `archive`, as if blocks 1..g had
 * been proposed and proven without L1->L2 messages: the Rollup's tips and block g's archive, and the Inbox's tree
 * in progress, written through anvil's storage cheat (production code has no such path). Pairs with
 * `TestWorld.genesis({ genesisBlockNumber: g })`.
 */
export async function seedChainAt(env: Env, g: bigint, archive: bigint): Promise<void> {
  const { encodeAbiParameters, keccak256 } = await import('viem');
  const slotOf = (name: 'Rollup' | 'Inbox', label: string): bigint => {
    const v = loadArtifact(name).storageLayout?.storage.find((x) => x.label === label);
    assert.ok(v, `${name}.${label} is not in the storage layout (rebuild the contracts)`);
    return BigInt(v.slot);
  };
  const { rollup, inbox } = env.deployment.addresses;
  await anvilRpc.setStorageAt(env.anvil.url, rollup, slotOf('Rollup', 'pendingBlockNumber'), g);
  await anvilRpc.setStorageAt(env.anvil.url, rollup, slotOf('Rollup', 'provenBlockNumber'), g);
  // blocks[g].archive: the first word of the mapping's struct entry
  const entry = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [g, slotOf('Rollup', 'blocks')])));
  await anvilRpc.setStorageAt(env.anvil.url, rollup, entry, archive);
  // messages sent now go to tree g + 2 (tree g + 1, consumed by the next block, is frozen empty)
  await anvilRpc.setStorageAt(env.anvil.url, inbox, slotOf('Inbox', 'inProgress'), g + 2n);
  assert.deepEqual(await env.c.rollup.read.getTips(), [g, g]);
  assert.equal(BigInt((await env.c.rollup.read.getBlock([g])).archive), archive);
}
