// Publishes an epoch's root proof on L1: first asks the Rollup for the public inputs it will
// verify against (`getEpochProofPublicInputs`, which also makes every check of the submission) and
// refuses to send when ours differ; then sends `submitEpochRootProof` through the L1 tx sender
// (fee bumping), retrying until the deadline (e.g. while the previous epoch is not yet proven).
import type { Address } from 'viem';
import { L1TxRevertedError, type L1TxSender, type RollupContract } from '@quetzal/l1';
import { rootOutputsToPublicInputs } from '@quetzal/protocol/circuits/convert';
import { fieldsToBytes } from '@quetzal/protocol/hash/sha256';
import type { RootRollupPublicInputs } from '@quetzal/protocol/root-public-inputs';
import { MAX_BLOCKS_PER_EPOCH } from '@quetzal/protocol/constants';
import { hex } from './block-check.js';
import type { EpochProofPublisher, PublishRequest } from './epoch-proving-job.js';

/** Our root public inputs differ from the Rollup's: the proof would be rejected. Not retried. */
export class PublicInputsMismatchError extends Error {
  override name = 'PublicInputsMismatchError';
}

/** Reverts that waiting cannot fix. */
const PERMANENT_REVERTS = new Set(['InvalidPreviousArchive', 'InvalidEndArchive', 'InvalidProverId', 'NothingToProve', 'EpochNotClaimed', 'ProofDeadlinePassed', 'InvalidProof']);

export interface L1EpochProofPublisherOptions {
  rollup: Pick<RollupContract, 'getEpochProofPublicInputs' | 'submitEpochRootProof'>;
  sender: L1TxSender;
  /** The prover's L1 address: the claim's prover and the proof's prover id. */
  proverAddress: Address;
  /** Wait between attempts (default 2 s). */
  retryIntervalMs?: number;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onAttempt?: () => void;
}

export class L1EpochProofPublisher implements EpochProofPublisher {
  constructor(private readonly o: L1EpochProofPublisherOptions) {}

  async publish({ epoch, root, deadline, signal }: PublishRequest): Promise<{ txHash: string; gasUsed: bigint }> {
    const ours = rootOutputsToPublicInputs(root.publicOutputs);
    const args = { epoch, previousArchive: ours.previousArchiveRoot, endArchive: ours.endArchiveRoot, proverId: this.o.proverAddress };
    const proof = fieldsToBytes(root.proof);
    const interval = this.o.retryIntervalMs ?? 2000;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      this.o.onAttempt?.();
      try {
        const theirs = await this.o.rollup.getEpochProofPublicInputs(args);
        assertSameRootPublicInputs(epoch, ours, theirs);
        const sent = await this.o.rollup.submitEpochRootProof(this.o.sender, args, proof);
        this.o.logger?.info({ epoch, tx: sent.receipt.transactionHash, bumps: sent.bumps, attempt }, 'epoch proof accepted on L1');
        return { txHash: sent.receipt.transactionHash, gasUsed: sent.receipt.gasUsed };
      } catch (err) {
        if (err instanceof PublicInputsMismatchError) throw err;
        const revert = err instanceof L1TxRevertedError ? err.errorName : undefined;
        if (revert && PERMANENT_REVERTS.has(revert)) throw err;
        if (deadline !== undefined && Date.now() + interval >= deadline) throw err;
        this.o.logger?.warn({ epoch, attempt, err: (err as Error).message }, 'epoch proof not accepted yet; retrying');
        await sleep(interval, signal);
      }
    }
  }
}

/** Throws PublicInputsMismatchError naming the first field where ours and the Rollup's differ. */
export function assertSameRootPublicInputs(epoch: number, ours: RootRollupPublicInputs, theirs: RootRollupPublicInputs): void {
  const a = ours.toFields();
  const b = theirs.toFields();
  const i = a.findIndex((x, k) => x !== b[k]);
  if (i >= 0) {
    throw new PublicInputsMismatchError(`epoch ${epoch}: root public input ${rootPublicInputName(i)} is ${hex(a[i]!)} in our proof, ${hex(b[i]!)} on L1; not sending a proof L1 would reject`);
  }
}

function rootPublicInputName(i: number): string {
  const M = MAX_BLOCKS_PER_EPOCH;
  if (i === 0) return 'previousArchiveRoot';
  if (i === 1) return 'endArchiveRoot';
  if (i < 2 + M) return `headerHashes[${i - 2}]`;
  if (i < 2 + 3 * M) return `fees[${Math.floor((i - 2 - M) / 2)}].${(i - 2 - M) % 2 === 0 ? 'recipient' : 'value'}`;
  return ['outHash', 'vkTreeRoot', 'proverId', 'chainId', 'version'][i - 2 - 3 * M]!;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(t);
      reject(signal.reason);
    }
    signal.addEventListener('abort', abort, { once: true });
  });
}
