// Failed-epoch bundles (`--prover-node.failed-epoch-store DIR`): when an epoch job fails or times
// out, what is needed to run its circuits again: the epoch's blocks, txs and L1->L2 messages, the
// job's state and error, and every proving job it enqueued with its inputs (the witnesses of the
// fork's state: no world state is needed to replay them) and how each ended at the broker.
// `quetzal epoch replay BUNDLE` proves them again against a fresh in-process broker.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { zBytes, zUint } from '@quetzal/kernel/jsonrpc/codec';
import type { L2BlockSyncSource } from '@quetzal/protocol/l2-block-source';
import { zEpochProvingJobStatus } from '@quetzal/protocol/prover-node-api';
import { zProvingJob, zProvingJobStatus, type ProvingJob, type ProvingJobProducer } from '@quetzal/protocol/proving-jobs';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import type { EpochProvingJob } from './epoch-proving-job.js';

export const FAILED_EPOCH_BUNDLE_VERSION = 1;

export const zFailedEpochBundle = z.object({
  version: z.literal(FAILED_EPOCH_BUNDLE_VERSION),
  writtenAt: z.string(),
  status: zEpochProvingJobStatus,
  /** L2Block.toBytes() of every block of the epoch. */
  blocks: z.array(zBytes),
  /** Per block of the epoch, its L1->L2 message leaves. */
  messages: z.array(z.array(zUint)),
  /** Tx.toBytes() of every tx of the epoch (those the tx providers still serve). */
  txs: z.array(zBytes),
  /** Every proving job the epoch enqueued, in order, with its last status at the broker. */
  jobs: z.array(z.object({ job: zProvingJob, status: zProvingJobStatus.or(z.object({ status: z.literal('unknown'), reason: z.string() })) })),
});
export type FailedEpochBundle = z.output<typeof zFailedEpochBundle>;

/** The job producer an epoch job uses when bundles are on: records every job it enqueues. */
export class RecordingProducer implements ProvingJobProducer {
  readonly jobs = new Map<string, ProvingJob>();

  constructor(private readonly inner: ProvingJobProducer) {}

  enqueueProvingJob(job: ProvingJob) {
    if (!this.jobs.has(job.id)) this.jobs.set(job.id, job);
    return this.inner.enqueueProvingJob(job);
  }
  getProvingJobStatus(id: string) {
    return this.inner.getProvingJobStatus(id);
  }
  cancelProvingJob(id: string) {
    return this.inner.cancelProvingJob(id);
  }
  waitForProvingJobs(ids: string[], timeoutMs: number) {
    return this.inner.waitForProvingJobs(ids, timeoutMs);
  }
  cleanupEpochsBefore(epoch: number) {
    return this.inner.cleanupEpochsBefore(epoch);
  }
  promoteProvingJobs(epoch: number) {
    return this.inner.promoteProvingJobs(epoch);
  }
  cancelSpeculativeProvingJobs(epoch: number) {
    return this.inner.cancelSpeculativeProvingJobs(epoch);
  }
  getProvingCapacity() {
    return this.inner.getProvingCapacity();
  }
}

/** Writes the bundle of a failed job under `dir`; resolves with its path. */
export async function writeFailedEpochBundle(o: {
  dir: string;
  job: EpochProvingJob;
  recorder: RecordingProducer;
  blockSource: L2BlockSyncSource;
  txProvider: TxProvider;
}): Promise<string> {
  const status = o.job.getStatus();
  const blocks = await o.blockSource.getBlocks(status.fromBlock, status.toBlock - status.fromBlock + 1);
  const messages = await Promise.all(blocks.map((b) => o.blockSource.getL1ToL2Messages(Number(b.number))));
  const hashes = blocks.flatMap((b) => b.body.txEffects.map((e) => e.txHash));
  const txs = hashes.length ? await o.txProvider.getTxsByHash(hashes).catch(() => []) : [];
  const jobs = await Promise.all(
    [...o.recorder.jobs.values()].map(async (job) => ({
      job,
      status: await o.recorder.getProvingJobStatus(job.id).catch((err: Error) => ({ status: 'unknown' as const, reason: err.message })),
    })),
  );
  const bundle: FailedEpochBundle = {
    version: FAILED_EPOCH_BUNDLE_VERSION,
    writtenAt: new Date().toISOString(),
    status,
    blocks: blocks.map((b) => b.toBytes()),
    messages,
    txs: txs.filter((t) => t !== undefined).map((t) => t.toBytes()),
    jobs,
  };
  mkdirSync(o.dir, { recursive: true });
  const file = join(o.dir, `epoch-${status.epoch}-${status.id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(z.encode(zFailedEpochBundle, bundle)));
  renameSync(`${file}.tmp`, file);
  return file;
}

export function readFailedEpochBundle(file: string): FailedEpochBundle {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the failed-epoch bundle ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = zFailedEpochBundle.safeDecode(json as never);
  if (!parsed.success) throw new Error(`${file} is not a failed-epoch bundle (version ${FAILED_EPOCH_BUNDLE_VERSION}): ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
