// The parity proofs of message-free L1->L2 slices. A block without messages has two all-zero
// parity-base slices and so always the same parity-base and parity-root inputs under one VK tree;
// with the epoch in every job id, the broker would prove them again each epoch. They are proven
// once per VK tree (which pins the circuits and the CRS) and kept in the data directory, so a
// message-free block costs no parity proof at all and its block-root inputs, hence job ids, stay
// the same across restarts.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { buildParityBaseInputs, buildParityRootInputs } from '@quetzal/protocol/circuits/block-building';
import { decodeProofResult, encodeProofResult } from '@quetzal/protocol/circuits/encoding';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import type { ProvingJobProducer, ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { ProvingJobTracker } from './job-tracker.js';
import { trackerProve, type CircuitProve } from './orchestrator.js';

type ParityBaseResult = CircuitProofResult<'parity-base'>;
type ParityRootResult = CircuitProofResult<'parity-root'>;
type EmptyCircuit = 'parity-base' | 'parity-root';
/** What every block's parity waits under (the scheduling key of these shared proofs). */
const BELOW_BLOCK: ProvingJobType[] = ['block-root', 'root-single'];

export interface EmptyParityProofsOptions {
  vkTree: VkTree;
  /** The broker: each proof is asked for once, the first time it is needed. */
  producer: ProvingJobProducer;
  /** The epoch its jobs carry (any: they are proven once); default 0. */
  epoch?: () => number;
  /** Ends the wait for a proof (the node stopping). */
  signal?: AbortSignal;
  onCircuitSettled?: (type: ProvingJobType, seconds: number, reused: boolean, ok: boolean) => void;
  /** Where the proofs are kept across restarts (none: this process only). */
  directory?: string;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export class EmptyParityProofs {
  private readonly proofs = new Map<EmptyCircuit, Promise<CircuitProofResult<EmptyCircuit>>>();
  private readonly prove: CircuitProve;

  constructor(private readonly o: EmptyParityProofsOptions) {
    const tracker = new ProvingJobTracker(o.producer, { signal: o.signal, onSettled: o.onCircuitSettled });
    this.prove = (type, inputs, path) => trackerProve(tracker, o.epoch?.() ?? 0)(type, inputs, path);
  }

  /** The parity-base proof of an all-zero slice. */
  base(): Promise<ParityBaseResult> {
    return this.once('parity-base', () => this.prove('parity-base', buildParityBaseInputs([], this.o.vkTree.root)[0]!, ['parity-root', ...BELOW_BLOCK]));
  }

  /** The parity-root proof over two all-zero slices: a message-free block's parity. */
  root(): Promise<ParityRootResult> {
    return this.once('parity-root', async () => {
      const base = await this.base();
      return this.prove('parity-root', buildParityRootInputs(base, base, this.o.vkTree), BELOW_BLOCK);
    });
  }

  /** The kept proof, or a new one; a failure is not kept (the next caller tries again). */
  private once<C extends EmptyCircuit>(circuit: C, prove: () => Promise<CircuitProofResult<C>>): Promise<CircuitProofResult<C>> {
    let p = this.proofs.get(circuit) as Promise<CircuitProofResult<C>> | undefined;
    if (!p) {
      const made = this.load(circuit, prove);
      this.proofs.set(circuit, made);
      made.catch(() => this.proofs.get(circuit) === made && this.proofs.delete(circuit));
      p = made;
    }
    return p;
  }

  private async load<C extends EmptyCircuit>(circuit: C, prove: () => Promise<CircuitProofResult<C>>): Promise<CircuitProofResult<C>> {
    const dir = this.o.directory;
    const file = dir && join(dir, `empty-${circuit}-${this.o.vkTree.root.toString(16)}.json`);
    const stored = file ? await readFile(file).catch(() => undefined) : undefined;
    if (stored) {
      try {
        return decodeProofResult(stored, circuit);
      } catch (err) {
        this.o.logger?.warn({ file, err: (err as Error).message }, 'unreadable empty parity proof; proving it again');
      }
    }
    const result = await prove();
    if (dir && file) {
      await mkdir(dir, { recursive: true });
      await writeFile(`${file}.tmp`, encodeProofResult(result));
      await rename(`${file}.tmp`, file);
      this.o.logger?.info({ circuit, file }, 'empty parity proof kept for every later message-free block');
    }
    return result;
  }
}
