import { Command } from '@oclif/core';
import { crsFlags, crsMode, inspectCrs, type CrsStatus } from '@quetzal/circuit-prover';

export default class CrsInfo extends Command {
  static override summary = 'Show where the CRS is, how many points it holds and whether the circuits fit';
  static override description = 'Reads the CRS files without generating anything; exits 1 when the CRS is missing or too small.';
  static override enableJsonFlag = true;
  static override flags = { ...crsFlags };

  async run(): Promise<CrsStatus> {
    const { flags } = await this.parse(CrsInfo);
    let status: CrsStatus;
    try {
      status = inspectCrs({ mode: crsMode(flags.crs), dataDir: flags['data-dir'], crsPath: flags['crs-path'] });
    } catch (e) {
      this.error((e as Error).message, { exit: 2 });
    }
    if (!this.jsonEnabled()) {
      this.log(`mode:      ${status.mode}${status.mode === 'dev' ? ' (INSECURE: tau is public)' : ''}`);
      this.log(`directory: ${status.dir}`);
      this.log(`points:    ${status.points} (circuits need ${status.required})`);
      if (status.id) this.log(`id:        ${status.id}`);
      this.log(`usable:    ${status.sufficient ? 'yes' : `no: ${status.problem}`}`);
      if (!status.sufficient && status.mode === 'dev') this.log('run `quetzal crs generate` to create it');
    }
    if (!status.sufficient) process.exitCode = 1;
    return status;
  }
}
