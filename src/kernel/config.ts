import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { describeIssues } from './jsonrpc/server.js';
import { kebab } from './options.js';
import { configKey, type PluginDeclaration } from './plugin.js';
import { closest } from './suggest.js';

export const PRESETS_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The flag that sets an option: `--port`, `--prover-agent.broker-url`. */
export function flagName(plugin: PluginDeclaration, option: string): string {
  return plugin.unprefixed ? kebab(option) : `${plugin.name}.${kebab(option)}`;
}

export interface ConfigSources {
  /** Option values given as flags, keyed by flag name (without dashes). */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  presetsDir?: string;
}

/** Every plugin's options, by config key; the core (unprefixed) options sit at the top level. */
export type ResolvedConfig = Record<string, Record<string, unknown>>;

/**
 * Resolves every option with the precedence flags > env > config file > network preset > default,
 * validating each value with its schema. Errors name the option, where the value came from, and
 * how to fix it; all of them are reported at once.
 */
export function resolveConfig(plugins: PluginDeclaration[], sources: ConfigSources): ResolvedConfig {
  const core = plugins.find((p) => p.unprefixed);
  const coreValue = (opt: string) => (core ? sources.flags[flagName(core, opt)] ?? envOf(core, opt, sources.env) : undefined);

  const configPath = coreValue('config') as string | undefined;
  const file = configPath ? readJson(configPath, `config file ${configPath} (--config)`) : {};
  const network = (coreValue('network') ?? file.network ?? 'local') as string;
  const presetsDir = sources.presetsDir ?? PRESETS_DIR;
  const preset = readPreset(presetsDir, network);

  const errors: string[] = [];
  checkKnownKeys(plugins, file, `config file ${configPath}`, errors);
  checkKnownKeys(plugins, preset, `network preset ${network}`, errors);

  const result: ResolvedConfig = {};
  for (const plugin of plugins) {
    const section: Record<string, unknown> = {};
    const key = configKey(plugin);
    const fromFile = (plugin.unprefixed ? file : file[key] ?? {}) as Record<string, unknown>;
    const fromPreset = (plugin.unprefixed ? preset : preset[key] ?? {}) as Record<string, unknown>;
    for (const [opt, def] of Object.entries(plugin.options ?? {})) {
      const flag = flagName(plugin, opt);
      const candidates: Array<[unknown, string]> = [
        [sources.flags[flag], `--${flag}`],
        [envOf(plugin, opt, sources.env), `env ${def.env}`],
        [fromFile[opt], `config file ${configPath}`],
        [fromPreset[opt], `network preset ${network}`],
      ];
      const [raw, origin] = candidates.find(([v]) => v !== undefined) ?? [undefined, 'default'];
      const parsed = (def.schema as z.ZodType).safeParse(raw);
      if (parsed.success) section[opt] = parsed.data;
      else {
        const shown = def.secret ? '(secret value)' : JSON.stringify(raw);
        errors.push(`--${flag}${def.env ? ` (env ${def.env})` : ''}: ${describeIssues(parsed.error)}; got ${shown} from ${origin}. ${def.description}.`);
      }
    }
    if (plugin.unprefixed) Object.assign(result, { [key]: section });
    else result[key] = section;
  }
  if (errors.length) throw new ConfigError(`invalid configuration:\n  - ${errors.join('\n  - ')}`);
  return result;
}

/** The config with every secret option replaced, for printing. */
export function redactedConfig(plugins: PluginDeclaration[], config: ResolvedConfig): ResolvedConfig {
  const out: ResolvedConfig = {};
  for (const plugin of plugins) {
    const key = configKey(plugin);
    const section = { ...config[key] };
    for (const [opt, def] of Object.entries(plugin.options ?? {})) if (def.secret && section[opt] !== undefined) section[opt] = '[redacted]';
    out[key] = section;
  }
  return out;
}

function envOf(plugin: PluginDeclaration, opt: string, env: ConfigSources['env']): string | undefined {
  const name = plugin.options?.[opt]?.env;
  const value = name ? env[name] : undefined;
  return value === '' ? undefined : value;
}

function readJson(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${what}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level must be an object');
    return value;
  } catch (err) {
    throw new ConfigError(`${what}: not a JSON object (${(err as Error).message})`);
  }
}

function readPreset(dir: string, network: string): Record<string, unknown> {
  const available = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  if (!available.includes(network)) {
    throw new ConfigError(`--network ${network}: no such network preset; available: ${available.join(', ')}`);
  }
  return readJson(`${dir}/${network}.json`, `network preset ${network}`);
}

function checkKnownKeys(plugins: PluginDeclaration[], values: Record<string, unknown>, where: string, errors: string[]): void {
  const core = plugins.find((p) => p.unprefixed);
  const sections = new Map(plugins.filter((p) => !p.unprefixed).map((p) => [configKey(p), p]));
  const topLevel = [...Object.keys(core?.options ?? {}), ...sections.keys()];
  for (const [key, value] of Object.entries(values)) {
    const plugin = sections.get(key);
    if (!plugin) {
      if (!topLevel.includes(key)) errors.push(`${where}: unknown key "${key}"${hint(key, topLevel)}`);
      continue;
    }
    if (value === null || typeof value !== 'object') {
      errors.push(`${where}: "${key}" must be an object of ${plugin.name} options`);
      continue;
    }
    const known = Object.keys(plugin.options ?? {});
    for (const opt of Object.keys(value)) if (!known.includes(opt)) errors.push(`${where}: unknown option "${key}.${opt}"${hint(opt, known, `${key}.`)}`);
  }
}

function hint(name: string, candidates: string[], prefix = ''): string {
  const best = closest(name, candidates);
  return best ? `; did you mean "${prefix}${best}"?` : '';
}
