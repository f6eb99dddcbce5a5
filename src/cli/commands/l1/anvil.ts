import { Command, Flags } from '@oclif/core';
import { startAnvil } from '@quetzal/l1/anvil';

export default class L1Anvil extends Command {
  static override summary = 'Run a local L1 (anvil) until SIGINT/SIGTERM';
  static override description = 'Starts the anvil binary shipped in @foundry-rs/anvil (no download), bound to 127.0.0.1 unless --host says otherwise, and prints its URL.';
  static override examples = ['<%= config.bin %> l1 anvil', '<%= config.bin %> l1 anvil --port 8546 --block-time 2'];
  static override flags = {
    port: Flags.integer({ description: 'JSON-RPC port', default: 8545 }),
    host: Flags.string({ description: 'Interface to bind', default: '127.0.0.1' }),
    'chain-id': Flags.integer({ description: 'Chain id', default: 31337 }),
    'block-time': Flags.integer({ description: 'Seconds between blocks (default: a block per tx)' }),
    'code-size-limit': Flags.integer({ description: 'Contract code size limit in bytes (default: EIP-170)' }),
    'gas-limit': Flags.string({ description: 'Block gas limit' }),
    verbose: Flags.boolean({ description: "Print anvil's own output", default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(L1Anvil);
    const anvil = await startAnvil({
      port: flags.port,
      host: flags.host,
      chainId: flags['chain-id'],
      blockTime: flags['block-time'],
      codeSizeLimit: flags['code-size-limit'],
      gasLimit: flags['gas-limit'] ? BigInt(flags['gas-limit']) : undefined,
      onOutput: flags.verbose ? (line) => this.log(line) : undefined,
      banner: flags.verbose,
    }).catch((err: Error) => this.error(err.message, { exit: 1 }));
    this.log(`anvil listening on ${anvil.url} (chain id ${anvil.chainId}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await anvil.stop();
    this.log('anvil stopped');
  }
}
