import { Errors, Flags, type Interfaces } from '@oclif/core';
import { describePlan } from '@quetzal/kernel/plan-text';
import { Kernel, planPlugins } from '@quetzal/kernel/kernel';
import { createLogging } from '@quetzal/kernel/logging';
import { createMetricsRegistry } from '@quetzal/kernel/metrics';
import { logFileOptions, type CoreConfig } from '@quetzal/kernel/core-plugins';
import { ConfiguredCommand } from '../configured-command.js';

export default class Start extends ConfiguredCommand {
  static override summary = 'Start Quetzal roles in this process';
  static override description = `Each role is a plugin: pass its switch (--archiver, --prover-node, --prover-broker, --prover-agent, ...) and its options (--<role>.<option>). Every option also reads an env var and the config file; precedence is flags > env > --config file > --network preset > defaults.`;
  static override examples = [
    '<%= config.bin %> start --local-network --sequencer --bot --archiver --prover-node --prover-broker --prover-agent',
    '<%= config.bin %> start --prover-broker --port 8090',
    '<%= config.bin %> start --plan --archiver --prover-node --prover-broker --prover-agent',
    '<%= config.bin %> start --prover-agent --prover-agent.count 2 --proverAgent.proverBrokerUrl http://10.0.0.5:8090',
  ];
  static override strict = false;

  protected override extraFlags(): Interfaces.FlagInput {
    return { plan: Flags.boolean({ description: 'Print the plugins in start order, with what each provides and requires and where each requirement comes from, and exit without starting anything' }) };
  }

  async run(): Promise<void> {
    const { plugins, roles, config, redactor, own } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    if (roles.size === 0) {
      const available = plugins.filter((p) => p.role).map((p) => `--${p.name}`);
      this.error(`no role selected: pass at least one of ${available.join(', ')}`, { exit: 2 });
    }
    if (own.plan) {
      try {
        this.log(redactor.redactString(describePlan(planPlugins(plugins, roles, config), config)));
      } catch (err) {
        this.error((err as Error).message, { exit: 2 });
      }
      return;
    }
    const core = config.core as CoreConfig;
    const logging = createLogging({ level: core.logLevel, redactor, file: logFileOptions(core) });
    let kernel: Kernel;
    try {
      kernel = new Kernel({ plugins, roles, config, logging, metrics: createMetricsRegistry(), redactor });
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }

    const stopped = new Promise<number>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        logging.root.info({ signal }, 'stopping');
        void kernel.stop().then((clean) => resolve(clean ? 0 : 1));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    try {
      await kernel.start();
    } catch (err) {
      logging.root.fatal({ err }, 'could not start');
      throw new Errors.CLIError(redactor.redactString((err as Error).message), { exit: 1 });
    }
    process.exitCode = await stopped;
    // Handles left open by third-party code must not keep a stopped node alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  }
}
