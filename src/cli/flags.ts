import { Flags, type Interfaces } from '@oclif/core';
import type { z } from 'zod';
import { flagName } from '@quetzal/kernel/config';
import type { PluginDeclaration } from '@quetzal/kernel/plugin';
import { closest } from '@quetzal/kernel/suggest';

type AnyFlag = Interfaces.FlagInput[string];

/** Help groups: roles first, under their own heading, each role's options beside it. */
function group(plugin: PluginDeclaration): string {
  return plugin.unprefixed ? 'GLOBAL' : plugin.name.toUpperCase();
}

/**
 * The oclif flags for `start` (and `config show`): a switch per role, then every plugin's options
 * as `--<plugin>.<option>` with their aliases, env var and default in the help text.
 */
export function pluginFlags(plugins: PluginDeclaration[]): Record<string, AnyFlag> {
  const flags: Record<string, AnyFlag> = {};
  for (const plugin of plugins) {
    if (plugin.role) flags[plugin.name] = Flags.boolean({ description: `Run the ${plugin.name} role: ${plugin.role.description}`, helpGroup: group(plugin) });
    for (const [opt, def] of Object.entries(plugin.options ?? {})) {
      const parsedDefault = (def.schema as z.ZodType).safeParse(undefined);
      const shownDefault = parsedDefault.success && parsedDefault.data !== undefined && !def.secret ? ` [default: ${JSON.stringify(parsedDefault.data, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}]` : '';
      const aliases = def.aliases?.length ? ` [alias: ${def.aliases.map((a) => `--${a}`).join(', ')}]` : '';
      const description = `${def.description}${def.env ? ` [env: ${def.env}]` : ''}${aliases}${shownDefault}`;
      const common = { description, aliases: def.aliases, helpGroup: group(plugin) };
      flags[flagName(plugin, opt)] = def.kind === 'boolean' ? Flags.boolean({ ...common, allowNo: true }) : Flags.string(common);
    }
  }
  return flags;
}

/** Rejects flags nobody declares, naming the closest known spelling. */
export function checkUnknownFlags(argv: readonly string[], flags: Record<string, AnyFlag>, builtins: readonly string[]): void {
  const known = [...builtins, ...Object.keys(flags), ...Object.values(flags).flatMap((f) => f.aliases ?? [])];
  for (const arg of argv) {
    if (arg === '--') return;
    if (!arg.startsWith('--')) continue;
    let name = arg.slice(2).split('=')[0]!;
    if (name.startsWith('no-') && !known.includes(name)) name = name.slice(3);
    if (known.includes(name)) continue;
    const suggestion = closest(name, known);
    throw new Error(`unknown flag --${name}${suggestion ? `; did you mean --${suggestion}?` : ''} (see quetzal start --help)`);
  }
}

/** Option values given on the command line, keyed by canonical flag name (aliases resolved by oclif). */
export function optionFlagValues(plugins: PluginDeclaration[], parsed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const plugin of plugins) for (const opt of Object.keys(plugin.options ?? {})) {
    const name = flagName(plugin, opt);
    if (parsed[name] !== undefined) out[name] = parsed[name];
  }
  return out;
}

export function enabledRoles(plugins: PluginDeclaration[], parsed: Record<string, unknown>): Set<string> {
  return new Set(plugins.filter((p) => p.role && parsed[p.name] === true).map((p) => p.name));
}
