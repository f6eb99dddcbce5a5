// Parses large JSON-RPC bodies off the main thread: decoding, JSON.parse and hex decoding of a
// 50 MB body take seconds of CPU that would otherwise stall every other request and timer.
// Web-standard APIs plus comlink only (see the worker pool).
import * as Comlink from 'comlink';
import { LongStringError, predecodeHex } from './hex-predecode.js';
import type { ParsedBody } from './large-json.js';

const api = {
  parse(chunks: Uint8Array[]): ParsedBody {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: false }).decode(concat(chunks));
    } catch {
      return { ok: false };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false };
    }
    const buffers: ArrayBuffer[] = [];
    try {
      return Comlink.transfer({ ok: true, value: predecodeHex(value, buffers) }, buffers);
    } catch (err) {
      if (err instanceof LongStringError) return { ok: false, invalid: err.message };
      throw err;
    }
  },
};
export type ParseWorkerApi = typeof api;
Comlink.expose(api);

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
