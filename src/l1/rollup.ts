// A typed client for the Rollup: the reads the prover node, archiver and sequencer need, protocol-typed
// (L2Block, SignedEpochProofQuote, RootRollupPublicInputs), and writes through the L1TxSender. This is
// the L1 edge of epoch and block numbers: JavaScript numbers everywhere else, uint256 on L1.
import { decodeFunctionData, encodeFunctionData, toHex, type Address, type Hex, type PublicClient } from 'viem';
import { AppendOnlyTreeSnapshot, BlockHeader, Body, L2Block } from '@quetzal/protocol/block';
import { fromBytes, toBytes32 } from '@quetzal/protocol/hash/sha256';
import { RootRollupPublicInputs } from '@quetzal/protocol/root-public-inputs';
import type { SignedEpochProofQuote } from '@quetzal/protocol/quote';
import { rollupAbi } from './generated/abis.js';
import type { L1TxSender, SentTx } from './tx-sender.js';

export const CLAIM_STATUS = ['none', 'active', 'proven', 'slashed', 'released'] as const;
export type ClaimStatus = (typeof CLAIM_STATUS)[number];
export const PRUNE_REASON = ['none', 'unclaimed', 'unproven'] as const;
export type PruneReason = (typeof PRUNE_REASON)[number];

export interface EpochProofClaim {
  epoch: number;
  bondAmount: bigint;
  prover: Address;
  basisPointFee: number;
  status: ClaimStatus;
  proposer: Address;
  claimedAtSlot: bigint;
}

export interface StoredBlock {
  blockNumber: number;
  archive: bigint;
  headerHash: bigint;
  outHash: bigint;
  totalFees: bigint;
  coinbase: Address;
  slotNumber: bigint;
  numTxs: number;
}

export interface EpochProofArgs {
  epoch: number;
  previousArchive: bigint;
  endArchive: bigint;
  proverId: Address;
}

export interface RollupConfigView {
  genesisTime: bigint;
  slotDuration: bigint;
  epochDuration: bigint;
  claimWindow: bigint;
  proofSubmissionWindow: bigint;
  version: bigint;
  blockReward: bigint;
  minimumBond: bigint;
  vkTreeRoot: bigint;
  inbox: Address;
  outbox: Address;
  escrow: Address;
  token: Address;
  verifier: Address;
}

const fieldHex = (v: bigint): Hex => toHex(toBytes32(v));
const hexBytes = (h: Hex): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

/** The `propose` arguments of a block: header bytes, archive root after the block, encoded body. */
export function encodeProposeArgs(block: L2Block): readonly [Hex, Hex, Hex] {
  return [toHex(block.header.toBytes()), fieldHex(block.archive.root), toHex(block.body.encode())];
}

export function encodeProposeCalldata(block: L2Block): Hex {
  return encodeFunctionData({ abi: rollupAbi, functionName: 'propose', args: encodeProposeArgs(block) });
}

/** Rebuilds the L2Block from a `propose` tx's input (the archiver reads blocks this way: the body is only calldata). */
export function decodeProposeCalldata(input: Hex): L2Block {
  const { functionName, args } = decodeFunctionData({ abi: rollupAbi, data: input });
  if (functionName !== 'propose') throw new Error(`not a propose call: ${functionName}`);
  const [headerHex, archiveHex, bodyHex] = args as readonly [Hex, Hex, Hex];
  const header = BlockHeader.fromBytes(hexBytes(headerHex));
  // archive after block N holds N + 1 leaves (leaf 0 is the genesis block hash)
  return new L2Block(header, Body.decode(hexBytes(bodyHex)), new AppendOnlyTreeSnapshot(fromBytes(hexBytes(archiveHex)), header.globalVariables.blockNumber + 1n));
}

export class RollupContract {
  constructor(
    readonly client: PublicClient,
    readonly address: Address,
  ) {}

  private read<F extends Parameters<PublicClient['readContract']>[0]['functionName']>(functionName: F, args: readonly unknown[] = []) {
    return this.client.readContract({ address: this.address, abi: rollupAbi, functionName, args } as never) as Promise<never>;
  }

  async getConfig(): Promise<RollupConfigView> {
    const [genesisTime, slotDuration, epochDuration, claimWindow, proofSubmissionWindow, version, blockReward, minimumBond, vkTreeRoot, inbox, outbox, escrow, token, verifier] =
      await Promise.all([
        this.read('GENESIS_TIME'), this.read('SLOT_DURATION'), this.read('EPOCH_DURATION'), this.read('CLAIM_WINDOW'), this.read('PROOF_SUBMISSION_WINDOW'),
        this.read('VERSION'), this.read('BLOCK_REWARD'), this.read('MINIMUM_BOND'), this.read('vkTreeRoot'), this.read('INBOX'), this.read('OUTBOX'),
        this.read('ESCROW'), this.read('TOKEN'), this.read('verifier'),
      ]) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, Hex, Address, Address, Address, Address, Address];
    return { genesisTime, slotDuration, epochDuration, claimWindow, proofSubmissionWindow, version, blockReward, minimumBond, vkTreeRoot: BigInt(vkTreeRoot), inbox, outbox, escrow, token, verifier };
  }

  getCurrentSlot(): Promise<bigint> {
    return this.read('getCurrentSlot');
  }
  async getCurrentEpoch(): Promise<number> {
    return Number(await this.read<'getCurrentEpoch'>('getCurrentEpoch'));
  }
  getCurrentProposer(): Promise<Address> {
    return this.read('getCurrentProposer');
  }

  async getTips(): Promise<{ pending: number; proven: number }> {
    const [pending, proven] = (await this.read('getTips')) as [bigint, bigint];
    return { pending: Number(pending), proven: Number(proven) };
  }

  async getBlock(blockNumber: number): Promise<StoredBlock> {
    const b = (await this.read('getBlock', [BigInt(blockNumber)])) as { archive: Hex; headerHash: Hex; outHash: Hex; totalFees: bigint; coinbase: Address; slotNumber: bigint; numTxs: number };
    return { blockNumber, archive: BigInt(b.archive), headerHash: BigInt(b.headerHash), outHash: BigInt(b.outHash), totalFees: b.totalFees, coinbase: b.coinbase, slotNumber: b.slotNumber, numTxs: b.numTxs };
  }

  /** First and last pending block of an epoch, or undefined when it has none. */
  async getEpochBlocks(epoch: number): Promise<{ first: number; last: number } | undefined> {
    const [first, last] = (await this.read('getEpochBlocks', [BigInt(epoch)])) as [bigint, bigint];
    return first === 0n ? undefined : { first: Number(first), last: Number(last) };
  }

  async getEpochForBlock(blockNumber: number): Promise<number> {
    return Number(await this.read<'getEpochForBlock'>('getEpochForBlock', [BigInt(blockNumber)]));
  }

  getProofDeadlineSlot(epoch: number): Promise<bigint> {
    return this.read('getProofDeadlineSlot', [BigInt(epoch)]);
  }

  async getClaim(epoch: number): Promise<EpochProofClaim | undefined> {
    const c = (await this.read('getClaim', [BigInt(epoch)])) as { bondAmount: bigint; prover: Address; basisPointFee: number; status: number; proposer: Address; claimedAtSlot: bigint };
    if (c.status === 0) return undefined;
    return { epoch, bondAmount: c.bondAmount, prover: c.prover, basisPointFee: c.basisPointFee, status: CLAIM_STATUS[c.status]!, proposer: c.proposer, claimedAtSlot: c.claimedAtSlot };
  }

  async getPruneStatus(): Promise<{ reason: PruneReason; epoch: number }> {
    const [reason, epoch] = (await this.read('getPruneStatus')) as [number, bigint];
    return { reason: PRUNE_REASON[reason]!, epoch: Number(epoch) };
  }

  /** What the Rollup would pass to the verifier for these args (reverts with the same errors as a submission). */
  async getEpochProofPublicInputs(args: EpochProofArgs): Promise<RootRollupPublicInputs> {
    const pi = (await this.read('getEpochProofPublicInputs', [toArgs(args)])) as Hex[];
    return RootRollupPublicInputs.fromFields(pi.map((x) => BigInt(x)));
  }

  /**
   * Where L1 time stands for claims: the current slot and epoch, and the epoch that can be claimed right now
   * (the previous one, inside the claim window, with unproven blocks and no claim yet), if any.
   */
  async getClaimStatus(): Promise<{ slot: bigint; epoch: number; claimableEpoch?: number; claimWindowEndsAtSlot?: bigint }> {
    const [slot, epochDuration, claimWindow, tips] = await Promise.all([
      this.getCurrentSlot(), this.read('EPOCH_DURATION') as Promise<bigint>, this.read('CLAIM_WINDOW') as Promise<bigint>, this.getTips(),
    ]);
    const epoch = Number(slot / epochDuration);
    if (epoch === 0 || slot % epochDuration >= claimWindow) return { slot, epoch };
    const target = epoch - 1;
    const [blocks, claim] = await Promise.all([this.getEpochBlocks(target), this.getClaim(target)]);
    if (!blocks || blocks.last <= tips.proven || claim) return { slot, epoch };
    return { slot, epoch, claimableEpoch: target, claimWindowEndsAtSlot: BigInt(epoch) * epochDuration + claimWindow };
  }

  /** Start of an L2 slot in L1 time. */
  async timestampOfSlot(slot: bigint): Promise<bigint> {
    return this.read('getTimestampForSlot', [slot]);
  }

  propose(sender: L1TxSender, block: L2Block): Promise<SentTx> {
    return sender.sendContractTx({ address: this.address, abi: rollupAbi, functionName: 'propose', args: encodeProposeArgs(block), label: `Rollup.propose(${block.number})` });
  }

  claimEpochProofRight(sender: L1TxSender, signed: SignedEpochProofQuote): Promise<SentTx> {
    return sender.sendContractTx({
      address: this.address, abi: rollupAbi, functionName: 'claimEpochProofRight', args: [signed.quote, signed.signature], label: `Rollup.claimEpochProofRight(${signed.quote.epochToProve})`,
    });
  }

  submitEpochRootProof(sender: L1TxSender, args: EpochProofArgs, proof: Hex | Uint8Array): Promise<SentTx> {
    return sender.sendContractTx({
      address: this.address, abi: rollupAbi, functionName: 'submitEpochRootProof', args: [toArgs(args), typeof proof === 'string' ? proof : toHex(proof)], label: `Rollup.submitEpochRootProof(${args.epoch})`,
    });
  }

  prune(sender: L1TxSender): Promise<SentTx> {
    return sender.sendContractTx({ address: this.address, abi: rollupAbi, functionName: 'prune', args: [], label: 'Rollup.prune' });
  }
}

function toArgs(a: EpochProofArgs) {
  return { epoch: BigInt(a.epoch), previousArchive: fieldHex(a.previousArchive), endArchive: fieldHex(a.endArchive), proverId: a.proverId };
}
