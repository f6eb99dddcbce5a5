// The shape of an epoch's proof tree (SPEC.md "Proof tree"): per block, its parity circuits and a
// base per tx under a merge tree, a block-root; over the blocks, a block-merge tree and the root.
// Both merge trees put the largest power of two strictly below n leaves on the left. The prover
// node builds the tree with these shapes and plans with them (how long would an epoch take?).
import { L1_TO_L2_MSGS_PER_PARITY_BASE } from './constants.js';
import { largestPowerOfTwoBelow } from './hash/sha256.js';
import type { ProvingJobType, ProvingTimeEstimates } from './proving-jobs.js';

/** The `node`s above leaf `i` of the canonical merge tree over `n` leaves (as many as its depth). */
export function leafPath(n: number, i: number, node: ProvingJobType): ProvingJobType[] {
  const path: ProvingJobType[] = [];
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (i >= k) {
      i -= k;
      n -= k;
    } else n = k;
    path.push(node);
  }
  return path;
}

export interface ProofTreeJob {
  type: ProvingJobType;
  /** The jobs whose proofs it verifies. */
  deps: ProofTreeJob[];
}

export interface BlockShape {
  txs: number;
  /** Its L1->L2 messages (0-16). A message-free slice of 8 costs no proof: its parity proofs are kept (per VK tree). */
  messages: number;
}

/**
 * Every job of an epoch's proof tree, children before parents. `rootSingle`: root-single over a
 * block-merge tree (one L1 verifier for every epoch); otherwise root over two block-level proofs
 * (root-single for one block). `proven`: blocks whose block-root proof exists already (prove-ahead).
 */
export function epochProofTree(blocks: readonly BlockShape[], options: { rootSingle: boolean; proven?: (index: number) => boolean }): ProofTreeJob[] {
  const all: ProofTreeJob[] = [];
  const add = (type: ProvingJobType, deps: ProofTreeJob[]) => {
    const j = { type, deps };
    all.push(j);
    return j;
  };
  const merge = (leaves: (ProofTreeJob | undefined)[], node: ProvingJobType): ProofTreeJob | undefined => {
    if (leaves.length === 1) return leaves[0];
    const k = largestPowerOfTwoBelow(leaves.length);
    return add(node, [merge(leaves.slice(0, k), node), merge(leaves.slice(k), node)].filter((d): d is ProofTreeJob => d !== undefined));
  };
  const block = (b: BlockShape, index: number): ProofTreeJob | undefined => {
    if (options.proven?.(index)) return undefined;
    const freshSlices = Math.min(2, Math.ceil(b.messages / L1_TO_L2_MSGS_PER_PARITY_BASE));
    const parity = freshSlices === 0 ? undefined : add('parity-root', Array.from({ length: freshSlices }, () => add('parity-base', [])));
    const deps = [b.txs === 0 ? undefined : merge(Array.from({ length: b.txs }, () => add('base', [])), 'merge'), parity];
    return add(b.txs === 0 ? 'block-root-empty' : 'block-root', deps.filter((d): d is ProofTreeJob => d !== undefined));
  };
  const roots = blocks.map(block);
  const single = options.rootSingle || blocks.length === 1;
  if (single) add('root-single', [merge(roots, 'block-merge')].filter((d): d is ProofTreeJob => d !== undefined));
  else {
    const k = largestPowerOfTwoBelow(blocks.length);
    add('root', [merge(roots.slice(0, k), 'block-merge'), merge(roots.slice(k), 'block-merge')].filter((d): d is ProofTreeJob => d !== undefined));
  }
  return all;
}

/** The tree's critical path (its longest chain of proofs) and its total work, in seconds. */
export function proofTreeSeconds(jobs: readonly ProofTreeJob[], seconds: ProvingTimeEstimates): { criticalPath: number; work: number } {
  const finish = new Map<ProofTreeJob, number>();
  let criticalPath = 0;
  let work = 0;
  for (const j of jobs) {
    const f = Math.max(0, ...j.deps.map((d) => finish.get(d)!)) + seconds[j.type];
    finish.set(j, f);
    criticalPath = Math.max(criticalPath, f);
    work += seconds[j.type];
  }
  return { criticalPath, work };
}
