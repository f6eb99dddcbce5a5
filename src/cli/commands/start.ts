import { format } from 'node:util';
import { Errors, Flags, type Interfaces } from '@oclif/core';
import { describePlan } from '@quetzal/kernel/plan-text';
import { Kernel, planPlugins } from '@quetzal/kernel/kernel';
import { createLogging } from '@quetzal/kernel/logging';
import { createMetricsRegistry } from '@quetzal/kernel/metrics';
import { checkDataDir } from '@quetzal/kernel/storage';
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
    // before anything is written there (the log file is the first)
    try {
      checkDataDir(core.dataDir);
    } catch (err) {
      this.error(redactor.redactString((err as Error).message), { exit: 1 });
    }
    const logging = createLogging({ level: core.logLevel, redactor, file: logFileOptions(core) });
    let kernel: Kernel;
    try {
      kernel = new Kernel({ plugins, roles, config, logging, metrics: createMetricsRegistry(), redactor });
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }

    // While the roles run, libraries that print to the console (lmdb prints a failed commit's
    // stack) write log lines instead: JSON like the rest, and redacted. oclif's own error output
    // after the run stays plain.
    const consoleLog = logging.forModule('console');
    const { error: consoleError, warn: consoleWarn } = console;
    const restoreConsole = () => Object.assign(console, { error: consoleError, warn: consoleWarn });
    Object.assign(console, { error: (...args: unknown[]) => consoleLog.error(format(...args)), warn: (...args: unknown[]) => consoleLog.warn(format(...args)) });
    const stopped = new Promise<number>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        logging.root.info({ signal }, 'stopping');
        void kernel.stop().then((clean) => resolve(clean ? 0 : 1));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // A fault nothing handled (a store's failed commit surfaces as an unhandled rejection) stops
      // every role in order with one fatal line, instead of a raw stack trace and exit.
      process.on('unhandledRejection', (err) => kernel.fail(err, 'unhandled rejection'));
      process.on('uncaughtException', (err) => kernel.fail(err, 'uncaught exception'));
      void kernel.failed.then(() => kernel.stop()).then(() => resolve(1));
    });
    try {
      await kernel.start();
    } catch (err) {
      logging.root.fatal({ err }, 'could not start');
      restoreConsole();
      throw new Errors.CLIError(redactor.redactString((err as Error).message), { exit: 1 });
    }
    process.exitCode = await stopped;
    restoreConsole();
    // Handles left open by third-party code must not keep a stopped node alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  }
}
