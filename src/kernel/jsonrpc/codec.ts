import { z } from 'zod';

// JSON has no bigint or bytes; they travel as 0x-hex strings. Codecs keep the wire format in one
// place: `z.decode` turns wire values into native ones, `z.encode` the reverse, on both sides.

const HEX_UINT = /^0x[0-9a-fA-F]+$/;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}

/** A non-negative bigint of at most 256 bits, as a 0x-hex string on the wire. */
export const zUint = z.codec(z.string().max(66, 'expected a 0x-prefixed hex integer of at most 32 bytes').regex(HEX_UINT, 'expected a 0x-prefixed hex integer'), z.bigint().nonnegative(), {
  decode: (s) => BigInt(s),
  encode: (n) => `0x${n.toString(16)}`,
});

/**
 * Bytes, as a 0x-hex string on the wire. A large body's long hex strings arrive already decoded
 * (the server parses those off the main thread), so bytes are accepted as they are.
 */
export const zBytes = z.codec(
  z.union([z.string().regex(HEX_BYTES, 'expected 0x-prefixed hex bytes'), z.instanceof(Uint8Array)]),
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
  { decode: (v) => (typeof v === 'string' ? hexToBytes(v) : v), encode: bytesToHex },
);
