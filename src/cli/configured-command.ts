import { Command, type Interfaces } from '@oclif/core';
import { resolveConfig, type ResolvedConfig } from '@quetzal/kernel/config';
import { configKey, type PluginDeclaration } from '@quetzal/kernel/plugin';
import { Redactor } from '@quetzal/kernel/redaction';
import { discoverPlugins } from './discover.js';
import { checkUnknownFlags, enabledRoles, optionFlagValues, pluginFlags } from './flags.js';

export interface Configured {
  plugins: PluginDeclaration[];
  roles: Set<string>;
  config: ResolvedConfig;
  redactor: Redactor;
  /** The command's own flags (`extraFlags`), parsed. */
  own: Record<string, unknown>;
  /** The command's positional arguments (`extraArgs`), parsed. */
  args: Record<string, unknown>;
}

/**
 * A command that takes every plugin's flags (`start`, `config show`): it discovers the plugins,
 * parses the flags they declare, and resolves the effective configuration.
 */
export abstract class ConfiguredCommand extends Command {
  /** Flags of the command itself, beside the plugins' (e.g. `start --plan`). */
  protected extraFlags(): Interfaces.FlagInput {
    return {};
  }

  /** Positional arguments of the command (e.g. `epoch replay BUNDLE`). */
  protected extraArgs(): Interfaces.ArgInput {
    return {};
  }

  protected async configure(): Promise<Configured> {
    const plugins = await discoverPlugins(this.config);
    const own = this.extraFlags();
    const flags = { ...pluginFlags(plugins), ...own };
    checkUnknownFlags(this.argv, flags, ['help']);
    const { flags: parsed, args } = await this.parse({ flags, strict: true, args: this.extraArgs() }, this.argv);
    const config = resolveConfig(plugins, { flags: optionFlagValues(plugins, parsed), env: process.env });
    const redactor = new Redactor();
    for (const plugin of plugins) {
      const section = config[configKey(plugin)];
      for (const [opt, def] of Object.entries(plugin.options ?? {})) {
        const value = section?.[opt];
        if (def.secret) redactor.addSecretValue(value as string | undefined);
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') redactor.addSecretsOfUrl(v);
      }
    }
    const ownValues = Object.fromEntries(Object.keys(own).map((k) => [k, parsed[k]]));
    return { plugins, roles: enabledRoles(plugins, parsed), config, redactor, own: ownValues, args };
  }
}
