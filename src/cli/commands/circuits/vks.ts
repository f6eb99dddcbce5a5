import { availableParallelism } from 'node:os';
import { Command, Flags } from '@oclif/core';
import { CIRCUIT_NAMES } from '@quetzal/protocol/circuit-names';
import { fieldToHex } from '@quetzal/protocol/circuits/abi';
import { crsFlags, crsMode, commandLogger, createNativeProver, verifierTarget } from '@quetzal/circuit-prover';

interface VksResult {
  crs: { mode: string; dir: string; id: string };
  circuits: { circuit: string; index: number; target: string; vkHash: string }[];
  vkTreeRoot: string;
}

export default class CircuitsVks extends Command {
  static override summary = "Print each circuit's VK hash and the VK tree root for a CRS";
  static override description =
    'Computes every protocol circuit\'s verification key with bb (cached per circuit, CRS and bb in <data-dir>/vks) and prints their hashes and the VK tree root, the value the Rollup is deployed with. Under --crs dev the CRS is generated first if needed.';
  static override enableJsonFlag = true;
  static override flags = {
    ...crsFlags,
    threads: Flags.integer({ description: 'Threads bb may use', default: availableParallelism(), min: 1 }),
    'bb-path': Flags.string({ description: 'bb binary (default: the one shipped in @aztec/bb.js)', env: 'BB_PATH' }),
  };

  async run(): Promise<VksResult> {
    const { flags } = await this.parse(CircuitsVks);
    const prover = await createNativeProver({
      crs: { mode: crsMode(flags.crs), crsPath: flags['crs-path'] },
      dataDir: flags['data-dir'],
      logger: commandLogger(),
      threads: flags.threads,
      bbPath: flags['bb-path'],
    }).catch((e: Error) => this.error(e.message, { exit: 2 }));
    try {
      const tree = await prover.getVkTree();
      const result: VksResult = {
        crs: { mode: prover.crs.mode, dir: prover.crs.dir, id: prover.crs.id },
        circuits: CIRCUIT_NAMES.map((c) => ({ circuit: c, index: tree.indexOf(c), target: verifierTarget(c), vkHash: fieldToHex(tree.vkHash(c)) })),
        vkTreeRoot: fieldToHex(tree.root),
      };
      if (!this.jsonEnabled()) {
        const w = Math.max(...CIRCUIT_NAMES.map((c) => c.length));
        this.log(`CRS: ${result.crs.mode} ${result.crs.dir} (id ${result.crs.id})`);
        for (const r of result.circuits) this.log(`${String(r.index).padStart(2)}  ${r.circuit.padEnd(w)}  ${r.target.padEnd(14)}  ${r.vkHash}`);
        this.log(`VK tree root: ${result.vkTreeRoot}`);
      }
      return result;
    } finally {
      await prover.stop();
    }
  }
}
