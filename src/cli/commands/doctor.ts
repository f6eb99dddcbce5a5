import { Flags, type Interfaces } from '@oclif/core';
import { formatReport } from '@quetzal/kernel/doctor';
import { ConfiguredCommand } from '../configured-command.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { writeBundle } from '../doctor/bundle.js';

export default class Doctor extends ConfiguredCommand {
  static override summary = 'Check a node and its setup: pass, warn or fail, with the fix for each';
  static override description =
    'Takes the same flags as `quetzal start` and checks what that node needs: L1, contracts, archiver sync, broker and agents, CRS and VKs, publisher funds and bond, disk, ports, clock, bb, Node. ' +
    'Without role flags it checks the roles of the node running at --host/--port. Exits non-zero when a check fails. --bundle writes a support bundle (logs, versions, redacted config, system info, epoch and job states).';
  static override examples = [
    '<%= config.bin %> doctor --prover-node --prover-broker --l1.rpc-urls http://l1:8545 --l1.deployment deployment.json',
    '<%= config.bin %> doctor --port 8080 --bundle support.tar.gz',
  ];
  static override strict = false;

  protected override extraFlags(): Interfaces.FlagInput {
    return {
      bundle: Flags.string({ description: 'Also write a support bundle (.tar.gz) here: the checks, the last --bundle-hours of logs, versions, the effective config (secrets redacted), system info, recent epoch and job states' }),
      'bundle-hours': Flags.integer({ description: 'Hours of logs the bundle takes from <data-dir>/logs', default: 24, min: 1 }),
      'check-timeout-ms': Flags.integer({ description: 'Time limit of one check', default: 15_000, min: 100 }),
    };
  }

  async run(): Promise<void> {
    const { plugins, roles, config, redactor, own } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    const run = await runDoctor({ plugins, roles, config, redactor, timeoutMs: own['check-timeout-ms'] as number });
    this.log(formatReport(run.results));
    if (own.bundle) {
      const file = await writeBundle({ file: own.bundle as string, hours: own['bundle-hours'] as number, run, plugins, config, redactor });
      this.log(`support bundle: ${file}`);
    }
    if (run.results.some((r) => r.status === 'fail')) this.exit(1);
  }
}
