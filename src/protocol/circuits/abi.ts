// A small schema language for the circuits' Noir structs: one schema per struct gives its
// TypeScript type (`Value<S>`), its Noir ABI encoding (input map / return value: snake_case keys,
// 0x-hex Fields) and its flattening to the field array a parent circuit verifies it against.
import { FIELD_MODULUS } from '../hash/poseidon2.js';

export interface FieldSchema {
  readonly kind: 'field';
}
export interface ArraySchema<S extends Schema = Schema> {
  readonly kind: 'array';
  readonly of: S;
  readonly length: number;
}
export interface StructSchema<T extends Readonly<Record<string, Schema>> = Readonly<Record<string, Schema>>> {
  readonly kind: 'struct';
  readonly fields: T;
}
export type Schema = FieldSchema | ArraySchema<any> | StructSchema<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The TypeScript value of a schema: Fields are bigints, arrays are arrays, structs objects (camelCase keys). */
export type Value<S> = S extends FieldSchema
  ? bigint
  : S extends ArraySchema<infer E>
    ? Value<E>[]
    : S extends StructSchema<infer T>
      ? { -readonly [K in keyof T]: Value<T[K]> }
      : never;

export const field: FieldSchema = { kind: 'field' };
export function array<S extends Schema>(of: S, length: number): ArraySchema<S> {
  return { kind: 'array', of, length };
}
export function struct<T extends Readonly<Record<string, Schema>>>(fields: T): StructSchema<T> {
  return { kind: 'struct', fields };
}

/** camelCase -> snake_case (the Noir field names): `l1ToL2MessageTree` -> `l1_to_l2_message_tree`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Number of Fields in the flattened schema. */
export function sizeOf(schema: Schema): number {
  switch (schema.kind) {
    case 'field':
      return 1;
    case 'array':
      return schema.length * sizeOf(schema.of);
    case 'struct':
      return Object.values(schema.fields as Record<string, Schema>).reduce((n, s) => n + sizeOf(s), 0);
  }
}

/**
 * Bytes of `JSON.stringify(toAbi(schema, value))` for any value: every Field is 66 characters of
 * hex, so the encoding of a schema has one size. Inputs larger than that are not ours to decode.
 */
export function encodedSize(schema: Schema): number {
  switch (schema.kind) {
    case 'field':
      return 68; // "0x" + 64 hex digits, quoted
    case 'array':
      return 2 + schema.length * encodedSize(schema.of) + Math.max(0, schema.length - 1);
    case 'struct': {
      const entries = Object.entries(schema.fields as Record<string, Schema>);
      return 2 + entries.reduce((n, [k, s]) => n + snakeCase(k).length + 3 + encodedSize(s), 0) + Math.max(0, entries.length - 1);
    }
  }
}

export type AbiValue = string | AbiValue[] | { [key: string]: AbiValue };

export function fieldToHex(v: bigint): string {
  if (typeof v !== 'bigint') throw new TypeError(`expected a bigint Field, got ${typeof v}`);
  if (v < 0n || v >= FIELD_MODULUS) throw new RangeError(`field element out of range: ${v}`);
  return '0x' + v.toString(16).padStart(64, '0');
}

function at(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** A value to its Noir ABI form (for noir_js `execute` inputs). */
export function toAbi<S extends Schema>(schema: S, value: Value<S>, path = ''): AbiValue {
  const s = schema as Schema;
  switch (s.kind) {
    case 'field':
      try {
        return fieldToHex(value as bigint);
      } catch (e) {
        throw new TypeError(`${path || 'value'}: ${(e as Error).message}`, { cause: e });
      }
    case 'array': {
      const xs = value as unknown[];
      if (!Array.isArray(xs) || xs.length !== s.length) throw new TypeError(`${path}: expected an array of ${s.length}, got ${Array.isArray(xs) ? xs.length : typeof xs}`);
      return xs.map((x, i) => toAbi(s.of, x as never, at(path, i)));
    }
    case 'struct': {
      const obj = value as Record<string, unknown>;
      if (obj === null || typeof obj !== 'object') throw new TypeError(`${path}: expected an object`);
      const out: Record<string, AbiValue> = {};
      for (const [k, fs] of Object.entries(s.fields as Record<string, Schema>)) {
        if (!(k in obj)) throw new TypeError(`${at(path, k)}: missing`);
        out[snakeCase(k)] = toAbi(fs, obj[k] as never, at(path, k));
      }
      return out;
    }
  }
}

/** A Noir ABI value (e.g. a noir_js return value) back to its TypeScript form. */
export function fromAbi<S extends Schema>(schema: S, abi: unknown, path = ''): Value<S> {
  const s = schema as Schema;
  switch (s.kind) {
    case 'field': {
      if (typeof abi !== 'string' && typeof abi !== 'number' && typeof abi !== 'bigint') throw new TypeError(`${path}: expected a Field`);
      const v = BigInt(abi);
      if (v < 0n || v >= FIELD_MODULUS) throw new RangeError(`${path}: field element out of range`);
      return v as Value<S>;
    }
    case 'array': {
      if (!Array.isArray(abi) || abi.length !== s.length) throw new TypeError(`${path}: expected an array of ${s.length}`);
      return abi.map((x, i) => fromAbi(s.of, x, at(path, i))) as Value<S>;
    }
    case 'struct': {
      if (abi === null || typeof abi !== 'object') throw new TypeError(`${path}: expected an object`);
      const obj = abi as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, fs] of Object.entries(s.fields as Record<string, Schema>)) {
        const nk = snakeCase(k);
        if (!(nk in obj)) throw new TypeError(`${at(path, nk)}: missing`);
        out[k] = fromAbi(fs, obj[nk], at(path, k));
      }
      return out as Value<S>;
    }
  }
}

/** The value as the field array its circuit exposes as public inputs (declaration order). */
export function flatten<S extends Schema>(schema: S, value: Value<S>): bigint[] {
  const out: bigint[] = [];
  const go = (s: Schema, v: unknown): void => {
    if (s.kind === 'field') out.push(v as bigint);
    else if (s.kind === 'array') {
      const xs = v as unknown[];
      if (xs.length !== s.length) throw new TypeError(`expected an array of ${s.length}, got ${xs.length}`);
      for (const x of xs) go(s.of, x);
    } else for (const [k, fs] of Object.entries(s.fields as Record<string, Schema>)) go(fs, (v as Record<string, unknown>)[k]);
  };
  go(schema, value);
  return out;
}

/** Inverse of `flatten`. */
export function unflatten<S extends Schema>(schema: S, fields: readonly bigint[]): Value<S> {
  if (fields.length !== sizeOf(schema)) throw new RangeError(`expected ${sizeOf(schema)} fields, got ${fields.length}`);
  let i = 0;
  const go = (s: Schema): unknown => {
    if (s.kind === 'field') return fields[i++]!;
    if (s.kind === 'array') return Array.from({ length: s.length }, () => go(s.of));
    const out: Record<string, unknown> = {};
    for (const [k, fs] of Object.entries(s.fields as Record<string, Schema>)) out[k] = go(fs);
    return out;
  };
  return go(schema) as Value<S>;
}
