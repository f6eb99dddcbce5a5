import { Args, Flags, type Interfaces } from '@oclif/core';
import { configKey } from '@quetzal/kernel/plugin';
import { Kernel } from '@quetzal/kernel/kernel';
import { createLogging } from '@quetzal/kernel/logging';
import { createMetricsRegistry } from '@quetzal/kernel/metrics';
import { readFailedEpochBundle } from '@quetzal/prover-node';
import { Tokens } from '@quetzal/protocol/tokens';
import { ConfiguredCommand } from '../../configured-command.js';
import { replayEpoch } from '../../epoch-replay.js';

export default class EpochReplay extends ConfiguredCommand {
  static override summary = 'Prove a failed epoch\'s circuits again from its bundle and report the first that fails';
  static override description =
    'Reads a bundle written under --prover-node.failed-epoch-store, enqueues every circuit the epoch enqueued (with the recorded inputs) at a fresh in-process broker, proves them with an in-process agent and the configured circuit prover (--circuit-prover.backend ...), and reports the first circuit that fails with its error. Exits 1 when a circuit fails, 0 when all prove.';
  static override examples = ['<%= config.bin %> epoch replay failed/epoch-12-<id>.json', '<%= config.bin %> epoch replay BUNDLE --circuit-prover.backend native'];
  static override strict = false;

  static override args = { bundle: Args.string({ description: 'The bundle file (epoch-<n>-<job id>.json)', required: true }) };

  protected override extraArgs(): Interfaces.ArgInput {
    return EpochReplay.args;
  }

  protected override extraFlags(): Interfaces.FlagInput {
    return { 'timeout-ms': Flags.integer({ description: 'Give up when the circuits have not all settled by then', default: 60 * 60_000, min: 1000 }) };
  }

  async run(): Promise<void> {
    const { plugins, config, redactor, own, args } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    let bundle;
    try {
      bundle = readFailedEpochBundle(args.bundle as string);
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }
    // A throwaway broker in memory, one agent, no HTTP port taken, no log file.
    Object.assign(config.core!, { port: 0, host: '127.0.0.1', logFileMaxMb: 0 });
    const broker = plugins.find((p) => p.name === 'prover-broker');
    if (broker) Object.assign(config[configKey(broker)]!, { inMemory: true, authToken: undefined });
    const logging = createLogging({ level: process.env.LOG_LEVEL ?? 'warn', redactor });
    const kernel = new Kernel({ plugins, roles: new Set(['prover-broker', 'prover-agent']), config, logging, metrics: createMetricsRegistry(), redactor });
    const { status } = bundle;
    this.log(`epoch ${status.epoch} (blocks ${status.fromBlock}..${status.toBlock}) ended ${status.state}: ${status.error ?? 'no error recorded'}`);
    this.log(`replaying ${bundle.jobs.length} circuits with the ${(config.circuitProver as { backend: string }).backend} prover`);
    try {
      await kernel.start();
      const outcome = await replayEpoch(bundle, kernel.container.resolve(Tokens.ProvingJobProducer), { timeoutMs: own['timeout-ms'] as number });
      if (outcome.recorded) this.log(`recorded first failure: ${outcome.recorded.type} (${outcome.recorded.id}): ${outcome.recorded.reason}`);
      if (outcome.firstFailure) {
        this.log(`first failing circuit: ${outcome.firstFailure.type} (${outcome.firstFailure.id})\nerror: ${outcome.firstFailure.reason}`);
        this.log(`${outcome.proved} of ${outcome.total} circuits proved`);
        process.exitCode = 1;
      } else {
        this.log(`all ${outcome.total} circuits proved: the failure did not reproduce with this prover`);
      }
    } finally {
      await kernel.stop();
    }
  }
}
