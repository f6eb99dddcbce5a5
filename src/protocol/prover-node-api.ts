// The prover node's JSON-RPC API (namespace `proverNode`): the state of its epoch proving jobs.
import { z } from 'zod';
import { zProvingJobType } from './proving-jobs.js';

export const PROVER_NODE_RPC_NAMESPACE = 'proverNode';

export const EPOCH_PROVING_JOB_STATES = ['initialized', 'processing', 'awaiting-root', 'publishing', 'completed', 'failed', 'timed-out', 'reorged', 'stopped'] as const;
export type EpochProvingJobState = (typeof EPOCH_PROVING_JOB_STATES)[number];

const zJobCounts = z.object({
  queued: z.number().int(),
  proving: z.number().int(),
  done: z.number().int(),
  reused: z.number().int(),
  failed: z.number().int(),
  /** Per circuit type: proofs done, and circuits enqueued so far. */
  circuits: z.partialRecord(zProvingJobType, z.object({ done: z.number().int(), total: z.number().int() })),
});

export const zEpochProvingJobStatus = z.object({
  id: z.string(),
  epoch: z.number().int(),
  fromBlock: z.number().int(),
  toBlock: z.number().int(),
  state: z.enum(EPOCH_PROVING_JOB_STATES),
  /** Unix ms. */
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  /** Unix ms after which L1 no longer accepts the proof. */
  deadline: z.number().optional(),
  /** Circuits of the epoch at the broker, as this node sees them. */
  jobs: zJobCounts,
  error: z.string().optional(),
  proofTxHash: z.string().optional(),
  /** Gas the proof transaction used (decimal). */
  proofGasUsed: z.string().optional(),
});
export type EpochProvingJobStatus = z.infer<typeof zEpochProvingJobStatus>;

export const zProverNodeStatus = z.object({
  /** The prover's L1 address (signs quotes, sends proofs, holds the bond). */
  address: z.string(),
  currentEpoch: z.number().int(),
  /** Epochs a quote was sent for (most recent last). */
  quotedEpochs: z.array(z.number().int()),
  /** Epochs the node did not bid on, and why (most recent last). */
  declinedEpochs: z.array(z.object({ epoch: z.number().int(), reason: z.string() })),
  /** Free escrow deposit, in bond token units (decimal string). */
  escrowDeposit: z.string().optional(),
  /** The publisher's ETH balance in wei (decimal string), as of the last poll. */
  publisherBalance: z.string().optional(),
});
export type ProverNodeStatus = z.infer<typeof zProverNodeStatus>;

export const ProverNodeApiSchema = {
  /** Every job this process ran or runs, newest last. */
  getJobs: { params: z.tuple([]), result: z.array(zEpochProvingJobStatus) },
  /** One job by id, or null. */
  getJob: { params: z.tuple([z.string().max(64)]), result: zEpochProvingJobStatus.nullable() },
  getStatus: { params: z.tuple([]), result: zProverNodeStatus },
};
