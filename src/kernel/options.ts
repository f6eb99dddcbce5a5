import { z } from 'zod';

/**
 * One configuration option of a plugin. Values arrive as strings (flags, env) or JSON values
 * (config file, preset), so every schema accepts both.
 */
export interface OptionDef<S extends z.ZodType = z.ZodType> {
  schema: S;
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

export type OptionDefs = Record<string, OptionDef>;
export type OptionValues<O extends OptionDefs> = { [K in keyof O]: z.output<O[K]['schema']> };

type Meta = Omit<OptionDef, 'schema' | 'kind'>;

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const list = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]);

/** Builders for the usual option shapes. */
export const option = {
  string: <D extends string | undefined>(meta: Meta & { default?: D }) => def(withDefault(z.string().min(1), meta.default), meta, 'value'),
  url: <D extends string | undefined>(meta: Meta & { default?: D }) => def(withDefault(z.url({ protocol: /^https?$/ }), meta.default), meta, 'value'),
  int: (meta: Meta & { default?: number; min?: number; max?: number }) => {
    let s = z.coerce.number().int();
    if (meta.min !== undefined) s = s.min(meta.min);
    if (meta.max !== undefined) s = s.max(meta.max);
    return def(withDefault(s, meta.default), meta, 'value');
  },
  bigint: (meta: Meta & { default?: bigint }) => def(withDefault(z.coerce.bigint().nonnegative(), meta.default), meta, 'value'),
  boolean: (meta: Meta & { default?: boolean }) => def(bool.default(meta.default ?? false), meta, 'boolean'),
  list: (meta: Meta & { default?: string[] }) => def(meta.default ? list.default(meta.default) : list.optional(), meta, 'value'),
  enum: <const V extends readonly [string, ...string[]]>(values: V, meta: Meta & { default?: V[number] }) =>
    def(withDefault(z.enum(values), meta.default), meta, 'value'),
  /** Any schema, for shapes the builders do not cover. */
  custom: <S extends z.ZodType>(schema: S, meta: Meta & { kind?: 'boolean' | 'value' }) => def(schema, meta, meta.kind ?? 'value'),
};

function def<S extends z.ZodType>(schema: S, meta: Meta, kind: 'boolean' | 'value'): OptionDef<S> {
  return { ...meta, schema, kind };
}

function withDefault<S extends z.ZodType, D>(schema: S, value: D) {
  return (value === undefined ? schema.optional() : schema.default(value as never)) as D extends undefined ? z.ZodOptional<S> : z.ZodDefault<S>;
}

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
