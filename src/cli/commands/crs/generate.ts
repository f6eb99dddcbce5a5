import { availableParallelism } from 'node:os';
import { Command, Flags } from '@oclif/core';
import { crsFlags, commandLogger, REQUIRED_CRS_POINTS, ensureCrs, inspectCrs } from '@quetzal/circuit-prover';

export default class CrsGenerate extends Command {
  static override summary = 'Generate the INSECURE dev CRS (once; every process then reuses it)';
  static override description =
    'Writes bn254_g1.dat and bn254_g2.dat in bb\'s layout to <data-dir>/crs/dev (or --crs-path), from the public seed "quetzal dev crs v1". ' +
    'Anyone can forge proofs against this CRS: use it for local networks and tests only. A no-op when a large enough copy exists.';
  static override examples = ['<%= config.bin %> crs generate', '<%= config.bin %> crs generate --data-dir /tmp/q --threads 4'];
  static override flags = {
    'crs-path': crsFlags['crs-path'],
    'data-dir': crsFlags['data-dir'],
    points: Flags.integer({ description: 'Points to generate (the circuits need 2^21)', default: REQUIRED_CRS_POINTS, min: 2 }),
    threads: Flags.integer({ description: 'Worker threads', default: availableParallelism(), min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CrsGenerate);
    const opts = { mode: 'dev' as const, dataDir: flags['data-dir'], crsPath: flags['crs-path'], points: flags.points };
    const before = inspectCrs(opts);
    const t0 = Date.now();
    const crs = await ensureCrs({ ...opts, logger: commandLogger(), threads: flags.threads }).catch((e: Error) => this.error(e.message, { exit: 1 }));
    const what = before.sufficient ? 'already present' : `generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
    this.log(`dev CRS (INSECURE) ${what}: ${crs.dir} (${crs.points} points, id ${crs.id})`);
  }
}
