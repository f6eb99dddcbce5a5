// Pool worker that verifies ZK UltraHonk proofs (CPU-bound: an MSM and a pairing per proof), so a
// burst of txs does not stall the caller's event loop. Web-standard APIs plus comlink only.
import * as Comlink from 'comlink';
import type { ProofVerdict } from '@quetzal/protocol/tx-proof-verifier';
import { g2Point, type G2Point } from '../crs/g2.js';
import { prepareVk, verifyZkProof, type PreparedVk } from './verifier.js';

/** The prepared VK and G2 of the last key: a pool serves one circuit under one CRS. */
let cached: { key: string; vk: PreparedVk; g2: G2Point } | undefined;

const api = {
  /** `key` names the (VK, G2) pair, so the worker parses them once. */
  verify(key: string, vkFields: bigint[], g2: Uint8Array, proof: bigint[], publicInputs: bigint[]): ProofVerdict {
    if (cached?.key !== key) cached = { key, vk: prepareVk(vkFields), g2: g2Point(g2) };
    return verifyZkProof(cached.vk, proof, publicInputs, cached.g2);
  },
};

export type VerifierWorkerApi = typeof api;
Comlink.expose(api);
