// bb's Fiat-Shamir transcript for the `noir-recursive` target (Poseidon2 over BN254 fields). Each
// challenge round hashes the previous round's full hash and the prover's messages since, with bb's
// Poseidon2 sponge; a round yields at most two challenges: the hash's low 127 bits and the bits above.
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';

const LOW_127 = (1n << 127n) - 1n;

export class Poseidon2Transcript {
  private previous: bigint | undefined;
  private pending: bigint[] = [];

  /** Prover messages (fields; a commitment as its 4 limbs) for the next challenge round. */
  absorb(...messages: readonly (readonly bigint[])[]): void {
    for (const m of messages) for (const f of m) this.pending.push(f);
  }

  /** Ends the round: its first (low) challenge and, for rounds that draw two, the second (high) one. */
  challenges(): [bigint, bigint] {
    const buffer = this.previous === undefined ? this.pending : [this.previous, ...this.pending];
    if (buffer.length === 0) throw new Error('transcript: the first challenge needs prover data');
    const hash = poseidon2Hash(buffer);
    this.previous = hash;
    this.pending = [];
    return [hash & LOW_127, hash >> 127n];
  }

  challenge(): bigint {
    return this.challenges()[0];
  }
}
