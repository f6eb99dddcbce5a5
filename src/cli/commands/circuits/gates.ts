import { Command, Flags } from '@oclif/core';
import { CIRCUIT_NAMES, type CircuitName } from '@quetzal/protocol/circuit-names';
import { MAX_CIRCUIT_GATES } from '@quetzal/protocol/constants';
import { measureGates, type CircuitGates } from '@quetzal/circuit-prover';

export default class CircuitsGates extends Command {
  static override summary = "Print each protocol circuit's ACIR opcode count and gate count (bb gates)";
  static override description = `Runs \`bb gates\` on every compiled circuit (build/circuits) and exits non-zero when any circuit exceeds ${MAX_CIRCUIT_GATES} gates (2^21, the CRS size).`;
  static override enableJsonFlag = true;
  static override flags = {
    circuit: Flags.string({ description: 'Only this circuit (repeatable)', options: [...CIRCUIT_NAMES], multiple: true }),
    'bb-path': Flags.string({ description: 'bb binary (default: the one shipped in @aztec/bb.js)', env: 'BB_PATH' }),
  };

  async run(): Promise<{ circuits: CircuitGates[]; limit: number; ok: boolean }> {
    const { flags } = await this.parse(CircuitsGates);
    const circuits = await measureGates({ circuits: flags.circuit as CircuitName[] | undefined, bbPath: flags['bb-path'] }).catch((e: Error) =>
      this.error(e.message, { exit: 2 }),
    );
    const ok = circuits.every((c) => c.withinLimit);
    if (!this.jsonEnabled()) {
      const w = Math.max(...circuits.map((c) => c.circuit.length));
      this.log(`${'circuit'.padEnd(w)}  ${'target'.padEnd(14)}  ${'acir opcodes'.padStart(12)}  ${'gates'.padStart(10)}  % of 2^21`);
      for (const c of circuits) {
        const pct = ((100 * c.gates) / MAX_CIRCUIT_GATES).toFixed(1);
        this.log(
          `${c.circuit.padEnd(w)}  ${c.target.padEnd(14)}  ${String(c.acirOpcodes).padStart(12)}  ${String(c.gates).padStart(10)}  ${pct.padStart(8)}%${c.withinLimit ? '' : '  OVER THE LIMIT'}`,
        );
      }
      if (!ok) this.logToStderr(`some circuits exceed ${MAX_CIRCUIT_GATES} gates`);
    }
    if (!ok) process.exitCode = 1;
    return { circuits, limit: MAX_CIRCUIT_GATES, ok };
  }
}
