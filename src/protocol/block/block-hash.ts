// blockHash = poseidon2(header words): the archive leaf (L2 side). Kept apart from header.ts so
// that sha256-only users (L1 code) do not load Barretenberg.
import { poseidon2Hash } from '../hash/poseidon2.js';
import type { BlockHeader } from './header.js';

export function blockHash(header: BlockHeader): bigint {
  return poseidon2Hash(header.toFields());
}
