/**
 * Per-circuit proving times, kept current from measured proofs: the weights of the broker's
 * scheduling key (remainingPathSeconds). Starts from DEFAULT_PROVING_SECONDS; a measured type
 * follows a moving average of its proofs; a type not measured yet keeps its default scaled like
 * the measured ones (simulated proofs are thousands of times faster than native ones, and a mix of
 * the two scales would misorder the queue).
 */
import { DEFAULT_PROVING_SECONDS, PROVING_JOB_TYPES, type ProvingJobType, type ProvingTimeEstimates } from '@quetzal/protocol/proving-jobs';
import { median } from '@quetzal/kernel/stats';

/** Weight of the newest measurement in the moving average. */
const ALPHA = 0.3;
/**
 * The published estimates change (and the queue is re-keyed) when one circuit's share of the total
 * moves by more than this: only relative times order the queue, so a uniform change (all proofs
 * faster on a bigger machine, or one type measured and the rest scaled with it) re-keys nothing.
 */
const DRIFT = 0.1;

export class ProvingTimeEstimator {
  private readonly averages = new Map<ProvingJobType, number>();
  private published: ProvingTimeEstimates = { ...DEFAULT_PROVING_SECONDS };
  /** Bumped whenever the published estimates change. */
  version = 0;

  /** The estimates the queue is keyed with. */
  current(): ProvingTimeEstimates {
    return this.published;
  }

  record(type: ProvingJobType, seconds: number): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) return;
    const avg = this.averages.get(type);
    this.averages.set(type, avg === undefined ? seconds : avg + ALPHA * (seconds - avg));
    const next = this.estimates();
    const share = (e: ProvingTimeEstimates) => {
      const total = PROVING_JOB_TYPES.reduce((s, t) => s + e[t], 0) || 1;
      return (t: ProvingJobType) => e[t] / total;
    };
    const [before, after] = [share(this.published), share(next)];
    if (PROVING_JOB_TYPES.some((t) => Math.abs(after(t) - before(t)) > DRIFT * Math.max(before(t), 1e-12))) {
      this.published = next;
      this.version++;
    }
  }

  /** Seeds the averages (e.g. from a shared database); the published estimates follow at once. */
  load(averages: Partial<Record<ProvingJobType, number>>): void {
    for (const [type, seconds] of Object.entries(averages) as [ProvingJobType, number][]) this.averages.set(type, seconds);
    this.published = this.estimates();
    this.version++;
  }

  /** The measured averages. */
  averagesSnapshot(): Partial<Record<ProvingJobType, number>> {
    return Object.fromEntries(this.averages);
  }

  private estimates(): ProvingTimeEstimates {
    const scale = this.averages.size === 0 ? 1 : median([...this.averages].map(([t, s]) => s / DEFAULT_PROVING_SECONDS[t]));
    const out = {} as Record<ProvingJobType, number>;
    for (const t of PROVING_JOB_TYPES) out[t] = this.averages.get(t) ?? DEFAULT_PROVING_SECONDS[t] * scale;
    return out;
  }
}
