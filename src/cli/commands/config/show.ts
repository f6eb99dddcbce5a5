import { redactedConfig } from '@quetzal/kernel/config';
import { ConfiguredCommand } from '../../configured-command.js';

export default class ConfigShow extends ConfiguredCommand {
  static override summary = 'Print the effective configuration (secrets redacted)';
  static override description = 'Takes the same flags as `quetzal start` and prints what it would run with, after flags, env, config file, network preset and defaults.';
  static override strict = false;

  async run(): Promise<void> {
    const { plugins, roles, config } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    const shown = { roles: [...roles], ...redactedConfig(plugins, config) };
    this.log(JSON.stringify(shown, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  }
}
