// What the parse worker does to a large body's value before handing it back: long hex strings
// (job inputs, proofs) become bytes, so that neither their decoding nor a copy of them lands on the
// main thread (the bytes codec, zBytes, takes them as they are).

/** Hex strings at least this long are turned into bytes by the parse worker. */
export const PREDECODE_HEX_CHARS = 64 * 1024;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/** `value` with every long 0x-hex string replaced by its bytes; their buffers are added to `transfer`. */
export function predecodeHex(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (typeof value === 'string') {
    if (value.length < PREDECODE_HEX_CHARS || !HEX.test(value)) return value;
    const bytes = hexToBytes(value);
    transfer.push(bytes.buffer as ArrayBuffer);
    return bytes;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = predecodeHex(value[i], transfer);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = predecodeHex(o[k], transfer);
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
