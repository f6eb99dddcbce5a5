// The archiver's interface (token `Tokens.L2BlockSource`), in-process or over JSON-RPC (namespace
// `archiver`). Block numbers start at 1 (block 0 is genesis and is never served).
import { z } from 'zod';
import { zBytes, zUint } from '@quetzal/kernel/jsonrpc/codec';
import { createJsonRpcClient, type JsonRpcClientOptions } from '@quetzal/kernel/jsonrpc/client';
import { L2Block } from './block/l2-block.js';

/** The Rollup's time parameters and identity, as deployed. */
export interface L1RollupConstants {
  /** L1 block of the Rollup's deployment (the archiver starts scanning there). */
  l1StartBlock: bigint;
  /** L1 time of slot 0 (seconds). */
  l1GenesisTime: bigint;
  slotDuration: number;
  epochDuration: number;
  claimWindow: number;
  proofSubmissionWindow: number;
  chainId: number;
  version: bigint;
}

export interface L2Tips {
  /** Latest block of the pending chain; 0 when none. */
  pending: number;
  /** Latest proven block; 0 when none. */
  proven: number;
}

/** A `ProofRightClaimed` seen on L1. */
export interface EpochClaimRecord {
  epoch: number;
  prover: `0x${string}`;
  proposer: `0x${string}`;
  bondAmount: bigint;
  basisPointFee: number;
  l1BlockNumber: bigint;
}

/** The part of the source the world-state synchronizer follows. */
export interface L2BlockSyncSource {
  /** Latest block number on L1 (pending chain); 0 when none. */
  getBlockNumber(): Promise<number>;
  /** Latest proven block number; 0 when none. */
  getProvenBlockNumber(): Promise<number>;
  /** The block, or undefined when unknown (e.g. pruned or not yet seen). */
  getBlock(blockNumber: number): Promise<L2Block | undefined>;
  /** Up to `limit` consecutive blocks from `from` (fewer when the chain is shorter). */
  getBlocks(from: number, limit: number): Promise<L2Block[]>;
  /**
   * The L1_TO_L2_MSGS_PER_BLOCK message leaves (0-padded) that block `blockNumber` consumes
   * (SPEC.md "L1 -> L2 messages").
   */
  getL1ToL2Messages(blockNumber: number): Promise<bigint[]>;
}

export interface L2BlockSource extends L2BlockSyncSource {
  getTips(): Promise<L2Tips>;
  /** The pending chain's blocks whose slot lies in `epoch`, in order. */
  getBlocksForEpoch(epoch: number): Promise<L2Block[]>;
  /** The tx hashes of the epoch's blocks, in block then tx order. */
  getTxHashesForEpoch(epoch: number): Promise<bigint[]>;
  getRollupConstants(): Promise<L1RollupConstants>;
  /** The last L1 block the source has processed (its number and timestamp). */
  getSyncedL1Block(): Promise<{ number: bigint; timestamp: bigint }>;
  /** Whether L1 time (as synced) has passed the epoch's last slot: no more blocks can join it. */
  isEpochComplete(epoch: number): Promise<boolean>;
  /** The claim of an epoch's proving right, if one was made (and not rolled back by an L1 reorg). */
  getEpochProofClaim(epoch: number): Promise<EpochClaimRecord | undefined>;
}

// ---------------------------------------------------------------- slot and epoch arithmetic
// The same formulas as the Rollup (contracts/src/Rollup.sol "views").

type TimeConstants = Pick<L1RollupConstants, 'l1GenesisTime' | 'slotDuration' | 'epochDuration'>;

export function timestampOfSlot(c: TimeConstants, slot: bigint): bigint {
  return c.l1GenesisTime + slot * BigInt(c.slotDuration);
}

export function epochOfSlot(c: TimeConstants, slot: bigint): number {
  return Number(slot / BigInt(c.epochDuration));
}

/** First and last slot of an epoch (inclusive). */
export function epochSlotRange(c: TimeConstants, epoch: number): [bigint, bigint] {
  const first = BigInt(epoch) * BigInt(c.epochDuration);
  return [first, first + BigInt(c.epochDuration) - 1n];
}

// ---------------------------------------------------------------- JSON-RPC

export const ARCHIVER_RPC_NAMESPACE = 'archiver';

const zBlock = z.codec(zBytes.in, z.custom<L2Block>((v) => v instanceof L2Block, 'expected an L2Block'), {
  decode: (hex) => L2Block.fromBytes(zBytes.decode(hex)),
  encode: (b) => zBytes.encode(b.toBytes()),
});
const zBlockNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const zEpoch = zBlockNumber;
const zAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`, `0x${string}`>;

export const L2BlockSourceSchema = {
  getBlockNumber: { params: z.tuple([]), result: zBlockNumber },
  getProvenBlockNumber: { params: z.tuple([]), result: zBlockNumber },
  getBlock: { params: z.tuple([zBlockNumber]), result: zBlock.nullable() },
  getBlocks: { params: z.tuple([zBlockNumber, z.number().int().min(0).max(1000)]), result: z.array(zBlock) },
  getL1ToL2Messages: { params: z.tuple([zBlockNumber]), result: z.array(zUint) },
  getTips: { params: z.tuple([]), result: z.object({ pending: zBlockNumber, proven: zBlockNumber }) },
  getBlocksForEpoch: { params: z.tuple([zEpoch]), result: z.array(zBlock) },
  getTxHashesForEpoch: { params: z.tuple([zEpoch]), result: z.array(zUint) },
  getRollupConstants: {
    params: z.tuple([]),
    result: z.object({
      l1StartBlock: zUint, l1GenesisTime: zUint, slotDuration: z.number().int(), epochDuration: z.number().int(), claimWindow: z.number().int(),
      proofSubmissionWindow: z.number().int(), chainId: z.number().int(), version: zUint,
    }),
  },
  getSyncedL1Block: { params: z.tuple([]), result: z.object({ number: zUint, timestamp: zUint }) },
  isEpochComplete: { params: z.tuple([zEpoch]), result: z.boolean() },
  getEpochProofClaim: {
    params: z.tuple([zEpoch]),
    result: z
      .object({ epoch: zEpoch, prover: zAddress, proposer: zAddress, bondAmount: zUint, basisPointFee: z.number().int(), l1BlockNumber: zUint })
      .nullable(),
  },
};

/** A remote archiver as an L2BlockSource. Every method is a read, so transport failures are retried. */
export function createL2BlockSourceClient(url: string, options: JsonRpcClientOptions = {}): L2BlockSource {
  const rpc = createJsonRpcClient(url, ARCHIVER_RPC_NAMESPACE, L2BlockSourceSchema, { timeoutMs: 30_000, retries: 2, ...options });
  return {
    getBlockNumber: () => rpc.getBlockNumber(),
    getProvenBlockNumber: () => rpc.getProvenBlockNumber(),
    getBlock: async (n): Promise<L2Block | undefined> => (await rpc.getBlock(n)) ?? undefined,
    getBlocks: (from, limit) => rpc.getBlocks(from, limit),
    getL1ToL2Messages: (n) => rpc.getL1ToL2Messages(n),
    getTips: () => rpc.getTips(),
    getBlocksForEpoch: (e) => rpc.getBlocksForEpoch(e),
    getTxHashesForEpoch: (e) => rpc.getTxHashesForEpoch(e),
    getRollupConstants: () => rpc.getRollupConstants(),
    getSyncedL1Block: () => rpc.getSyncedL1Block(),
    isEpochComplete: (e) => rpc.isEpochComplete(e),
    getEpochProofClaim: async (e): Promise<EpochClaimRecord | undefined> => (await rpc.getEpochProofClaim(e)) ?? undefined,
  };
}
