// The adversary of the soak test (adversarial-soak.stress.test.ts): txs a node must refuse, epoch
// proof quotes from fresh keys, and blocks proposed straight on L1. The local network deploys an
// empty sequencer set, so every L1 key is an allowed proposer: the adversary uses an anvil dev key
// no role of the network uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex, type Address, type PublicClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createArchiverClient } from '@quetzal/archiver';
import { ANVIL_DEFAULT_PRIVATE_KEYS, getL1Contracts, L1TxRevertedError, L1TxSender, type L1Deployment, type RollupContract } from '@quetzal/l1';
import { buildBlock } from '@quetzal/sequencer';
import { LmdbWorldState, ServerWorldStateSynchronizer } from '@quetzal/world-state';
import { AppendOnlyTreeSnapshot } from '@quetzal/protocol/block/header';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { L2Genesis } from '@quetzal/protocol/genesis';
import { devAccountSecret } from '@quetzal/protocol/genesis';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { signEpochProofQuote, type QuoteDomainParams } from '@quetzal/protocol/quote';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';
import type { NodeApi } from '@quetzal/protocol/node-api';

export const CHAIN = { chainId: 31337n, version: 1n };
/** Dev fee payers (genesis accounts 0-3): honest users spend from 0 and 1, the adversary from 2, and 3 is the victim. */
export const ADVERSARY_ACCOUNT = 2;
export const VICTIM_ACCOUNT = 3;
/** Anvil dev keys: 0-3 belong to the network's roles; 4 holds bond tokens (minted at deploy); 5 proposes. */
export const UNDERFUNDED_PROVER_KEY = ANVIL_DEFAULT_PRIVATE_KEYS[4];
export const ROGUE_PROPOSER_KEY = ANVIL_DEFAULT_PRIVATE_KEYS[5];

const randomField = () => BigInt(toHex(randomBytes(32))) % FIELD_MODULUS;
const placeholderProof = () => Array<bigint>(PROOF_LENGTH).fill(0n);
/** What an adversary without the fee payer's secret can send: no valid client proof. */
const forgedProof = () => Array.from({ length: PROOF_LENGTH }, randomField);

/** A tx of a dev account, with the simulated prover's placeholder proof (what an honest simulated sender sends). */
export function devTx(account: number, nonce: bigint, transactionFee: bigint, extra: { noteHashes?: bigint[] } = {}): Tx {
  return new Tx(buildTxCircuitInputs({ secret: devAccountSecret(account), nonce, ...CHAIN, transactionFee, ...extra }).effects, placeholderProof());
}

export type BadTxKind = 'zero-fee-unfunded' | 'zero-fee-forged-proof' | 'duplicate-nullifier' | 'repeated-nullifier' | 'others-balance';

export interface BadTx {
  kind: BadTxKind;
  tx: Tx;
  /** The tx field the refusal must name (`data.field` of the JSON-RPC error). */
  field: string;
  /** What the refusal's message must say. */
  reason: RegExp;
}

/**
 * One tx of each kind the node must refuse. `nonce` keeps the adversary's own nullifiers fresh, so
 * each tx reaches the check it is aimed at; `known` is a tx the node already holds (pending or mined).
 */
export function badTxs(nonce: bigint, known: Tx): BadTx[] {
  const own = (fee: bigint) => buildTxCircuitInputs({ secret: devAccountSecret(ADVERSARY_ACCOUNT), nonce, ...CHAIN, transactionFee: fee }).effects;
  const fresh = buildTxCircuitInputs({ secret: BigInt(toHex(randomBytes(16))), nonce: 0n, ...CHAIN, transactionFee: 0n }).effects;
  const [n] = own(0n).nullifiers;
  return [
    // an account with nothing at stake: no balance anywhere
    { kind: 'zero-fee-unfunded', tx: new Tx(fresh, placeholderProof()), field: 'feePayer', reason: /fee payer 0x[0-9a-f]+ has no balance \(every tx, zero-fee included/ },
    // the halting tx: free, with random proof fields
    { kind: 'zero-fee-forged-proof', tx: new Tx(own(0n), forgedProof()), field: 'proof', reason: /client proof does not verify/ },
    // a known tx's nullifiers with other effects
    { kind: 'duplicate-nullifier', tx: new Tx({ ...known.publicOutputs, noteHashes: known.publicOutputs.noteHashes.map(() => randomField()) }, placeholderProof()), field: 'nullifiers', reason: /double spend/ },
    { kind: 'repeated-nullifier', tx: new Tx({ ...own(0n), nullifiers: [n!, n!, 0n, 0n] }, placeholderProof()), field: 'nullifiers', reason: /repeats a nullifier/ },
    // the victim pays: only the victim's secret could prove that, so the proof cannot verify
    { kind: 'others-balance', tx: new Tx({ ...own(1000n), feePayer: feePayerOf(devAccountSecret(VICTIM_ACCOUNT)) }, forgedProof()), field: 'proof', reason: /client proof does not verify/ },
  ];
}

/**
 * Quotes for `epoch` signed by `count` fresh keys with no escrow deposit (fee 0: the best a
 * sequencer could be offered); resolves with each refusal's message, or `accepted`.
 */
export async function spamQuotes(node: NodeApi, domain: QuoteDomainParams, epoch: bigint, validUntilSlot: bigint, bondAmount: bigint, count: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) {
    const signer = privateKeyToAccount(generatePrivateKey());
    const signed = await signEpochProofQuote(signer, { epochToProve: epoch, validUntilSlot, bondAmount, prover: signer.address, basisPointFee: 0 }, domain);
    outcomes.push(await node.submitEpochProofQuote(signed).then(() => 'accepted', (e: Error) => e.message));
  }
  return outcomes;
}

/** A prover with bond tokens that deposits `deposit` into the escrow (its quotes then ask for more). */
export async function underfundedProver(l1Url: string, deployment: L1Deployment, deposit: bigint) {
  const sender = new L1TxSender({ rpcUrls: l1Url, privateKey: UNDERFUNDED_PROVER_KEY, pollIntervalMs: 100 });
  const { token, escrow } = getL1Contracts(sender.client, deployment.addresses);
  await sender.sendContractTx({ address: token.address, abi: token.abi, functionName: 'approve', args: [escrow.address, deposit] });
  await sender.sendContractTx({ address: escrow.address, abi: escrow.abi, functionName: 'deposit', args: [deposit] });
  return privateKeyToAccount(UNDERFUNDED_PROVER_KEY);
}

export type RogueBlockKind = 'garbage-archive' | 'withheld-tx';

export interface RogueBlock {
  kind: RogueBlockKind;
  block: L2Block;
  epoch: number;
  /** The tx the block carries (never sent to the network for `withheld-tx`). */
  tx: Tx;
}

export interface RogueProposerOptions {
  l1Url: string;
  deployment: L1Deployment;
  genesis: L2Genesis;
  archiverUrl: string;
  rollup: RollupContract;
  client: PublicClient;
}

/**
 * Proposes on L1, with its own key, a block built like the sequencer builds one (on a world state
 * synced from the network's archiver), then tampered with: the archive replaced by garbage, or
 * carrying a tx no node was ever sent.
 */
export class RogueProposer {
  private readonly sender: L1TxSender;
  private readonly archiver;
  readonly address: Address;

  constructor(private readonly o: RogueProposerOptions) {
    this.sender = new L1TxSender({ rpcUrls: o.l1Url, privateKey: ROGUE_PROPOSER_KEY, pollIntervalMs: 100, stuckTimeoutMs: 3000 });
    this.address = this.sender.address;
    this.archiver = createArchiverClient(o.archiverUrl);
  }

  /** Proposes `tx` in a block of its own at the next slot it can win (the network must not be proposing meanwhile). */
  async propose(kind: RogueBlockKind, tx: Tx, timeoutMs = 30_000): Promise<RogueBlock> {
    const until = Date.now() + timeoutMs;
    const { slotDuration, epochDuration } = this.o.deployment.params;
    let lastError = '';
    while (Date.now() < until) {
      const built = await this.buildOnTip(tx);
      if (typeof built === 'string') {
        lastError = built;
        await new Promise((r) => setTimeout(r, 300));
        continue;
      }
      const block = kind === 'garbage-archive' ? new L2Block(built.header, built.body, new AppendOnlyTreeSnapshot(0xbad0_0000n + BigInt(Date.now() % 65536), built.archive.nextAvailableLeafIndex)) : built;
      try {
        await this.o.rollup.propose(this.sender, block);
        return { kind, block, epoch: Math.floor(Number(block.header.globalVariables.slotNumber) / epochDuration), tx };
      } catch (e) {
        // the slot ended before the proposal was mined, or the network proposed first: build again
        if (!(e instanceof L1TxRevertedError)) throw e;
        lastError = e.message;
        await new Promise((r) => setTimeout(r, (slotDuration * 1000) / 3));
      }
    }
    throw new Error(`the rogue proposer could not propose its ${kind} block within ${timeoutMs} ms: ${lastError}`);
  }

  /** The block of `tx` on the L1 tip in the current slot, or why not now. A fresh world state each time: a garbage block stops a synchronizer for good. */
  private async buildOnTip(tx: Tx): Promise<L2Block | string> {
    const dir = mkdtempSync(join(tmpdir(), 'qz-rogue-'));
    const ws = await LmdbWorldState.open(dir, { genesis: { publicData: this.o.genesis.publicData, ...CHAIN } });
    try {
      const sync = new ServerWorldStateSynchronizer(ws, this.archiver);
      const tips = await this.o.rollup.getTips();
      const synced = await sync.syncImmediate();
      if (synced !== tips.pending) return `world state at block ${synced}, L1 at ${tips.pending}`;
      const [slot, latest] = await Promise.all([this.o.rollup.getCurrentSlot(), this.o.client.getBlock()]);
      const slotStart = await this.o.rollup.timestampOfSlot(slot);
      if (latest.timestamp + 2n >= slotStart + BigInt(this.o.deployment.params.slotDuration)) return `too late in slot ${slot}`;
      if (tips.pending > 0 && (await this.o.rollup.getBlock(tips.pending)).slotNumber >= slot) return `slot ${slot} already has a block`;
      const { inbox } = getL1Contracts(this.o.client, this.o.deployment.addresses);
      const messages = (await inbox.read.getLeaves([BigInt(tips.pending + 1)])).map((m) => BigInt(m));
      const fork = await sync.fork(synced);
      try {
        const built = await buildBlock(fork, [tx], messages, { ...CHAIN, blockNumber: BigInt(tips.pending + 1), slot, timestamp: slotStart, coinbase: this.address });
        if (built.included.length !== 1) throw new Error(`the rogue tx does not apply: ${built.excluded[0]?.reason}`);
        return built.block;
      } finally {
        await fork.close();
      }
    } finally {
      await ws.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
