import { z } from 'zod';

/**
 * One configuration option of a plugin, resolving to a value of type T. Values arrive as strings
 * (flags, env) or JSON values (config file, preset), so every schema accepts both.
 */
export interface OptionDef<T = unknown> {
  schema: z.ZodType<T, unknown>;
  description: string;
  /** Environment variable read for this option. */
  env?: string;
  /** Other flag spellings (without dashes), e.g. `proverAgent.proverBrokerUrl`. */
  aliases?: string[];
  /** Never printed, logged or exported; also redacted wherever its value appears in text. */
  secret?: boolean;
  /** Flag kind in the CLI: a boolean switch, or a flag taking a value. */
  kind: 'boolean' | 'value';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptionDefs = Record<string, OptionDef<any>>;
export type OptionValues<O extends OptionDefs> = { [K in keyof O]: O[K] extends OptionDef<infer T> ? T : never };

type Meta = Omit<OptionDef, 'schema' | 'kind'>;
/** T when a default is given, T | undefined otherwise. */
type Defaulted<T, D> = D extends undefined ? T | undefined : T;

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const list = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]);

/** Builders for the usual option shapes. */
export const option = {
  string: <D extends string | undefined>(meta: Meta & { default?: D }) => def<Defaulted<string, D>>(withDefault(z.string().min(1), meta.default), meta, 'value'),
  url: <D extends string | undefined>(meta: Meta & { default?: D }) => def<Defaulted<string, D>>(withDefault(z.url({ protocol: /^https?$/ }), meta.default), meta, 'value'),
  int: <D extends number | undefined>(meta: Meta & { default?: D; min?: number; max?: number }) => {
    let s = z.coerce.number<string | number>().int();
    if (meta.min !== undefined) s = s.min(meta.min);
    if (meta.max !== undefined) s = s.max(meta.max);
    return def<Defaulted<number, D>>(withDefault(s, meta.default), meta, 'value');
  },
  bigint: <D extends bigint | undefined>(meta: Meta & { default?: D }) =>
    def<Defaulted<bigint, D>>(withDefault(z.coerce.bigint<string | number | bigint>().nonnegative(), meta.default), meta, 'value'),
  boolean: (meta: Meta & { default?: boolean }) => def<boolean>(bool.default(meta.default ?? false), meta, 'boolean'),
  list: <D extends string[] | undefined>(meta: Meta & { default?: D }) => def<Defaulted<string[], D>>(meta.default ? list.default(meta.default) : list.optional(), meta, 'value'),
  /** One or more http(s) URLs, comma-separated (e.g. replicas of one service, tried in turn). */
  urls: (meta: Meta) => def<string[] | undefined>(list.pipe(z.array(z.url({ protocol: /^https?$/ })).min(1)).optional(), meta, 'value'),
  enum: <const V extends readonly [string, ...string[]], D extends V[number] | undefined>(values: V, meta: Meta & { default?: D }) =>
    def<Defaulted<V[number], D>>(withDefault(z.enum(values), meta.default), meta, 'value'),
  /** Any schema, for shapes the builders do not cover. */
  custom: <T>(schema: z.ZodType<T, unknown>, meta: Meta & { kind?: 'boolean' | 'value' }) => def<T>(schema, meta, meta.kind ?? 'value'),
};

function def<T>(schema: z.ZodType, meta: Meta, kind: 'boolean' | 'value'): OptionDef<T> {
  return { ...meta, schema: schema as z.ZodType<T, unknown>, kind };
}

function withDefault(schema: z.ZodType, value: unknown): z.ZodType {
  return value === undefined ? schema.optional() : schema.default(value as never);
}

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
