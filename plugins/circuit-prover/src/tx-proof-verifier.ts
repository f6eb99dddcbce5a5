// The TxProofVerifier of each backend. Native: the TypeScript ZK UltraHonk verifier (honk/) on a
// worker pool, against the tx circuit's VK and the [x]_2 of the CRS in use; it works under the dev
// CRS, where bb's own verifier (Ignition's [x]_2 pinned) refuses every proof. Simulated: the proof
// must be the placeholder a simulated prover makes after checking the witness.
import { createHash } from 'node:crypto';
import type { Logger } from '@quetzal/kernel/logging';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { Tx } from '@quetzal/protocol/tx';
import type { ProofVerdict, TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import type { VerifierWorkerApi } from './honk/verifier-worker.js';

export class SimulatedTxProofVerifier implements TxProofVerifier {
  readonly kind = 'simulated';

  async verifyTxProof(tx: Tx): Promise<ProofVerdict> {
    if (tx.proof.length !== PROOF_LENGTH) return { valid: false, reason: `the client proof has ${tx.proof.length} fields, expected ${PROOF_LENGTH}` };
    if (tx.proof.some((f) => f !== 0n)) return { valid: false, reason: 'the client proof is not the placeholder proof a simulated prover makes' };
    return { valid: true };
  }
}

export interface NativeTxProofVerifierOptions {
  /** The tx circuit's VK fields, for the CRS below (fetched on first use). */
  vk: () => Promise<bigint[]>;
  /** [x]_2 of the CRS the proofs are made with (bb's 128-byte layout). */
  g2: Uint8Array;
  /** Verifications at once, each on its own worker thread. */
  workers: number;
  logger: Logger;
}

export class NativeTxProofVerifier implements TxProofVerifier {
  readonly kind = 'native';
  private pool?: WorkerPool<VerifierWorkerApi>;
  private vk?: Promise<{ key: string; fields: bigint[] }>;

  constructor(private readonly options: NativeTxProofVerifierOptions) {}

  /** The VK, and a key naming it with the G2 (workers prepare each pair once). */
  private vkWithKey(): Promise<{ key: string; fields: bigint[] }> {
    if (!this.vk) {
      const p = this.options.vk().then((fields) => ({ fields, key: createHash('sha256').update(fields.join(',')).update(this.options.g2).digest('hex') }));
      p.catch(() => {
        if (this.vk === p) this.vk = undefined;
      });
      this.vk = p;
    }
    return this.vk;
  }

  async verifyTxProof(tx: Tx): Promise<ProofVerdict> {
    const { key, fields } = await this.vkWithKey();
    // Workers start on the first tx: processes that never check one (agents) pay nothing.
    this.pool ??= new WorkerPool<VerifierWorkerApi>({ module: new URL('./honk/verifier-worker.ts', import.meta.url), size: this.options.workers, name: 'tx-proof-verifier', logger: this.options.logger });
    // comlink's Remote spreads the union result across Promises; it is one ProofVerdict.
    return this.pool.run((w) => w.verify(key, fields, this.options.g2, [...tx.proof], tx.publicInputs()) as Promise<ProofVerdict>);
  }

  async stop(): Promise<void> {
    await this.pool?.close();
  }
}
