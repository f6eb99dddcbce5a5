import { Help, type Command } from '@oclif/core';
import { discoverPlugins } from './discover.js';
import { pluginFlags } from './flags.js';

const PLUGIN_FLAG_COMMANDS = new Set(['start', 'config:show']);

/** oclif help that shows the plugin-contributed flags of `start` and `config show`, grouped by role. */
export default class QuetzalHelp extends Help {
  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    if (!PLUGIN_FLAG_COMMANDS.has(command.id)) return super.showCommandHelp(command);
    const plugins = await discoverPlugins(this.config);
    const flags = pluginFlags(plugins) as unknown as Command.Loadable['flags'];
    return super.showCommandHelp({ ...command, flags: { ...command.flags, ...flags } });
  }
}
