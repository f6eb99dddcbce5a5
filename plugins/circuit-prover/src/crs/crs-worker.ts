// Pool worker for dev CRS generation (web-standard APIs plus comlink).
import * as Comlink from 'comlink';
import { g1Powers } from './g1-powers.js';

const api = {
  /** [tau^i]G1 for i in [start, start + count), bb's 64-byte layout; the buffer is transferred. */
  g1Powers(tauHex: string, start: number, count: number): Uint8Array {
    const out = g1Powers(BigInt(`0x${tauHex}`), start, count);
    return Comlink.transfer(out, [out.buffer]);
  },
};
export type CrsWorkerApi = typeof api;
Comlink.expose(api);
