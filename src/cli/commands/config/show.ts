import { redactedConfig } from '@quetzal/kernel/config';
import { redactDeep } from '@quetzal/kernel/redaction';
import { ConfiguredCommand } from '../../configured-command.js';

export default class ConfigShow extends ConfiguredCommand {
  static override summary = 'Print the effective configuration (secrets redacted)';
  static override description = 'Takes the same flags as `quetzal start` and prints what it would run with, after flags, env, config file, network preset and defaults.';
  static override strict = false;

  async run(): Promise<void> {
    const { plugins, roles, config, redactor } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    const shown = { roles: [...roles], ...redactedConfig(plugins, config) };
    // redactDeep also hides the credentials of URL options (user, password, API key in the path).
    this.log(JSON.stringify(redactDeep(shown, redactor), (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  }
}
