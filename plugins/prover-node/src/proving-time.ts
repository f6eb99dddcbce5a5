// How long an epoch would take to prove: the proof tree's critical path and its work spread over
// the agents the broker sees, with per-circuit times from the broker's running averages of
// measured proofs (until it has measured a circuit: the node's seed, DESIGN.md §8's native times
// or small ones for simulated proofs). The node bids only when that fits the proof window.
import { epochProofTree, proofTreeSeconds, type BlockShape } from '@quetzal/protocol/proof-tree';
import { PROVING_JOB_TYPES, type ProvingJobProducer, type ProvingJobType, type ProvingTimeEstimates } from '@quetzal/protocol/proving-jobs';

/** Simulated proofs: witness generation only, about a second a circuit. */
export const SIMULATED_PROVING_SECONDS: ProvingTimeEstimates = Object.fromEntries(PROVING_JOB_TYPES.map((t) => [t, 1])) as Record<ProvingJobType, number>;

/** Hu's rule is not always optimal, and broker calls, tx processing and decoding take time too. */
const SAFETY_FACTOR = 1.25;

export interface ProvingPlan {
  /** Estimated seconds from the claim to the root proof. */
  seconds: number;
  criticalPath: number;
  work: number;
  /** Proving slots of the agents the broker sees. */
  slots: number;
  /** The per-circuit seconds used. */
  provingSeconds: ProvingTimeEstimates;
}

export class ProvingTimePlanner {
  constructor(
    private readonly o: {
      producer: Pick<ProvingJobProducer, 'getProvingCapacity'>;
      /** Per-circuit seconds until the broker has measured a circuit. */
      seed: ProvingTimeEstimates;
      rootSingle: boolean;
    },
  ) {}

  /** The plan for an epoch of these blocks (`proven`: blocks whose block-root proof exists, by index). */
  async plan(blocks: readonly BlockShape[], proven?: (index: number) => boolean): Promise<ProvingPlan> {
    const capacity = await this.o.producer.getProvingCapacity();
    const measured = new Set(capacity.measured);
    const provingSeconds = Object.fromEntries(PROVING_JOB_TYPES.map((t) => [t, measured.has(t) ? capacity.provingSeconds[t] : this.o.seed[t]])) as Record<ProvingJobType, number>;
    const { criticalPath, work } = proofTreeSeconds(epochProofTree(blocks, { rootSingle: this.o.rootSingle, proven }), provingSeconds);
    const seconds = capacity.slots === 0 ? Infinity : SAFETY_FACTOR * Math.max(criticalPath, work / capacity.slots);
    return { seconds, criticalPath, work, slots: capacity.slots, provingSeconds };
  }
}
