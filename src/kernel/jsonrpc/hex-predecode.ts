// What the parse worker does to a large body's value before handing it back: long hex strings
// (job inputs, proofs) become bytes, so that neither their decoding nor a copy of them lands on the
// main thread (the bytes codec, zBytes, takes them as they are).

/** Hex strings at least this long are turned into bytes by the parse worker. */
export const PREDECODE_HEX_CHARS = 64 * 1024;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/** A long string that is not hex: no method takes one, and copying it back would stall the main thread. */
export class LongStringError extends Error {}

/**
 * `value` with every long 0x-hex string replaced by its bytes; their buffers are added to
 * `transfer`. Throws LongStringError, naming where, for a long string that is not 0x-hex.
 */
export function predecodeHex(value: unknown, transfer: ArrayBuffer[], path = ''): unknown {
  if (typeof value === 'string') {
    if (value.length < PREDECODE_HEX_CHARS) return value;
    if (!HEX.test(value)) throw new LongStringError(`${path || 'the body'}: a string of ${value.length} characters that is not 0x-prefixed hex (other strings are limited to ${PREDECODE_HEX_CHARS - 1}): ${JSON.stringify(value.slice(0, 32))}...`);
    const bytes = hexToBytes(value);
    transfer.push(bytes.buffer as ArrayBuffer);
    return bytes;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = predecodeHex(value[i], transfer, `${path}[${i}]`);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k.length >= PREDECODE_HEX_CHARS) throw new LongStringError(`${path || 'the body'}: a key of ${k.length} characters: ${JSON.stringify(k.slice(0, 32))}...`);
      o[k] = predecodeHex(o[k], transfer, path ? `${path}.${k}` : k);
    }
  }
  return value;
}

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0, j = 2; i < out.length; i++, j += 2) out[i] = (NIBBLE[hex.charCodeAt(j)]! << 4) | NIBBLE[hex.charCodeAt(j + 1)]!;
  return out;
}
