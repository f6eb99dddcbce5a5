// Pool worker for dev CRS generation (web-standard APIs plus comlink).
import * as Comlink from 'comlink';
import { g1Powers } from './g1-powers.js';
import { nativeG1Powers } from './native-g1.js';
import { g2Bytes, pairingCheck } from './dev-crs.js';

const api = {
  /** [tau^i]G1 for i in [start, start + count), bb's 64-byte layout; the buffer is transferred. */
  g1Powers(tauHex: string, start: number, count: number): Uint8Array {
    const tau = BigInt(`0x${tauHex}`);
    const out = nativeG1Powers(tau, start, count) ?? g1Powers(tau, start, count);
    return Comlink.transfer(out, [out.buffer]);
  },
  /** [tau]G2 and whether each sample (two consecutive G1 points) passes the pairing check: pairings take a while, so not on the main thread. */
  g2AndChecks(tauHex: string, samples: Uint8Array[], pointBytes: number): { g2: Uint8Array; ok: boolean } {
    const g2 = g2Bytes(BigInt(`0x${tauHex}`));
    return { g2, ok: samples.every((s) => pairingCheck(s.subarray(0, pointBytes), s.subarray(pointBytes), g2)) };
  },
  /** e(q, [1]_2) = e(p, g2): whether g2 is [x]_2 of the setup whose first G1 points are p = [1]_1, q = [x]_1. */
  pairingCheck(p: Uint8Array, q: Uint8Array, g2: Uint8Array): boolean {
    return pairingCheck(p, q, g2);
  },
};
export type CrsWorkerApi = typeof api;
Comlink.expose(api);
