// An epoch built outside the prover node: blocks made by the protocol's block building over the
// reference trees (no proofs), the full txs that produced them, their L1->L2 messages, and the
// epoch's expected root public inputs computed from the headers (SPEC.md "Epoch root public inputs").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body } from '@quetzal/protocol/block/body';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { applyTx } from '@quetzal/protocol/circuits/block-building';
import { TestWorld } from '@quetzal/protocol/circuits/fixtures';
import { VkTree, simulatedVk } from '@quetzal/protocol/circuits/vk-tree';
import { L1_TO_L2_MSGS_PER_BLOCK, PROOF_LENGTH } from '@quetzal/protocol/constants';
import { padTo } from '@quetzal/protocol/hash/sha256';
import type { L2BlockSyncSource } from '@quetzal/protocol/l2-block-source';
import { RootRollupPublicInputs, computeEpochOutHash } from '@quetzal/protocol/root-public-inputs';
import { Tx, buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import { LmdbWorldState, ServerWorldStateSynchronizer } from '@quetzal/world-state';
import { SimulatedTxProofVerifier } from '@quetzal/circuit-prover';
import { BlockProcessor, type BlockProcessorOptions } from '@quetzal/prover-node';

export const CHAIN_ID = 31337n;
export const VERSION = 1n;
export const PROVER_ID = 0xabcdef0123456789abcdef0123456789abcdef01n;
export const SECRETS = [11n, 22n, 33n, 44n];
export const BALANCE = 1_000_000_000n;

export const vkTree = VkTree.simulated();
export const keys = { vkTree, txVerificationKey: simulatedVk('tx') };

export interface Chain {
  blocks: L2Block[];
  /** messages[n] = block n's 16 leaves. */
  messages: bigint[][];
  txs: Map<bigint, Tx>;
  world: TestWorld;
}

export function newChain(): Chain {
  const world = TestWorld.genesis({ chainId: CHAIN_ID, version: VERSION, balances: SECRETS.map((s) => [feePayerOf(s), BALANCE] as const) });
  return { blocks: [], messages: [[]], txs: new Map(), world };
}

/**
 * Appends a block of `numTxs` txs (with note hashes, extra nullifiers, L2->L1 messages) and L1->L2
 * messages (`msgs` made-up leaves, or the given ones); `at` places it in an L1 slot.
 */
export async function addBlock(chain: Chain, txs: number | Tx[], msgs: number | bigint[], at?: { slot: bigint; timestamp: bigint }): Promise<L2Block> {
  const { world } = chain;
  const n = BigInt(chain.blocks.length + 1);
  const globals = new GlobalVariables(CHAIN_ID, VERSION, n, at?.slot ?? 10n + n, at?.timestamp ?? 1_700_000_000n + n * 36n, 0x1000n + n);
  const effects = [];
  const count = typeof txs === 'number' ? txs : txs.length;
  for (let t = 0; t < count; t++) {
    const tx = typeof txs === 'number' ? madeUpTx(n, t) : txs[t]!;
    chain.txs.set(tx.hash(), tx);
    effects.push(tx.toEffect());
    await applyTx(world.fork(), tx.publicOutputs, globals);
  }
  const messages = padTo(typeof msgs === 'number' ? Array.from({ length: msgs }, (_, i) => n * 10_000n + BigInt(i) + 1n) : msgs, L1_TO_L2_MSGS_PER_BLOCK);
  const { header, archive } = await world.finishBlock({ txEffects: effects, l1ToL2Messages: messages, globals });
  const block = new L2Block(header, new Body(effects), archive);
  chain.blocks.push(block);
  chain.messages.push(messages);
  return block;
}

/** Tx `t` of block `n`: note hashes, an extra nullifier on odd txs, an L2->L1 message on every third; placeholder client proof. */
export function madeUpTx(n: bigint, t: number): Tx {
  return new Tx(txRequestInputs(n, t).effects, Array<bigint>(PROOF_LENGTH).fill(0n));
}

/** The `tx` circuit inputs of made-up tx `t` of block `n` (prove them for a real client proof). */
export function txRequestInputs(n: bigint, t: number) {
  return buildTxCircuitInputs({
    secret: SECRETS[t % SECRETS.length]!,
    nonce: n * 1000n + BigInt(t),
    chainId: CHAIN_ID,
    version: VERSION,
    transactionFee: 100n * n + BigInt(t),
    noteHashes: [n * 100n + BigInt(t) * 10n + 1n, n * 100n + BigInt(t) * 10n + 2n],
    extraNullifiers: t % 2 === 1 ? [n * 1_000_000n + BigInt(t) + 7n] : [],
    l2ToL1Msgs: t % 3 === 2 ? [{ recipient: 0xa11ce0000000000000000000000000000000000an, content: n * 555n + BigInt(t) }] : [],
  });
}

/** The root public inputs of blocks from..to, computed from the headers alone. */
export function expectedRootPublicInputs(chain: Chain, from: number, to: number): RootRollupPublicInputs {
  const blocks = chain.blocks.slice(from - 1, to);
  const headers = blocks.map((b) => b.header);
  return new RootRollupPublicInputs(
    headers[0]!.lastArchive.root,
    blocks[blocks.length - 1]!.archive.root,
    headers.map((h) => h.hash()),
    headers.map((h) => ({ recipient: h.globalVariables.coinbase, value: h.totalFees })),
    computeEpochOutHash(headers.map((h) => h.contentCommitment.outHash)),
    vkTree.root,
    PROVER_ID,
    CHAIN_ID,
    VERSION,
  );
}

export class ChainBlockSource implements L2BlockSyncSource {
  constructor(
    readonly chain: Chain,
    /** Lets a test serve a different block than the chain holds. */
    readonly override?: (block: L2Block) => L2Block,
  ) {}
  async getBlockNumber() {
    return this.chain.blocks.length;
  }
  async getProvenBlockNumber() {
    return 0;
  }
  async getBlock(n: number) {
    const b = this.chain.blocks[n - 1];
    return b && this.override ? this.override(b) : b;
  }
  async getBlocks(from: number, limit: number) {
    return this.chain.blocks.slice(from - 1, from - 1 + limit).map((b) => (this.override ? this.override(b) : b));
  }
  async getL1ToL2Messages(n: number) {
    return this.chain.messages[n] ?? padTo([], L1_TO_L2_MSGS_PER_BLOCK);
  }
}

export class MapTxProvider implements TxProvider {
  calls = 0;
  constructor(readonly txs: Map<bigint, Tx>) {}
  async getTxsByHash(hashes: readonly bigint[]) {
    this.calls++;
    return hashes.map((h) => this.txs.get(h));
  }
}

/** The simulated backend's client proof check (placeholder proofs). */
export const simulatedTxProofs = new SimulatedTxProofVerifier();

/** A block processor over the chain (or the given parts), epochs of 1000 slots unless told. */
export function blockProcessor(o: Pick<BlockProcessorOptions, 'worldState'> & Partial<BlockProcessorOptions> & { chain: Chain }): BlockProcessor {
  return new BlockProcessor({ blockSource: new ChainBlockSource(o.chain), txProvider: new MapTxProvider(o.chain.txs), txProofs: simulatedTxProofs, keys, epochDuration: 1000, ...o });
}

/** An LMDB world state in a temporary directory, synced to the chain's tip (or following `source`). */
export async function syncedWorldState(chain: Chain, source: L2BlockSyncSource = new ChainBlockSource(chain)): Promise<{ sync: ServerWorldStateSynchronizer; db: LmdbWorldState; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'quetzal-pn-ws-'));
  const ws = await LmdbWorldState.open(dir, {
    genesis: { chainId: CHAIN_ID, version: VERSION, publicData: SECRETS.map((s) => ({ slot: feePayerOf(s), value: BALANCE })) },
  });
  const sync = new ServerWorldStateSynchronizer(ws, source);
  await sync.syncImmediate();
  return {
    sync,
    db: ws,
    async close() {
      await sync.stop();
      await ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

