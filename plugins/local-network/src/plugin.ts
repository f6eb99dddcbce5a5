import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { nextTurn } from '@quetzal/kernel/turns';
import {
  ANVIL_CHAIN_ID, ANVIL_DEFAULT_PRIVATE_KEYS, deployL1Contracts, formatDeployment, parseVerifierChoice, resolveL1Key, startAnvil, writeDeploymentFile,
} from '@quetzal/l1';
import { createL1Connection, l1Checks } from '@quetzal/l1-client';
import { LmdbWorldState } from '@quetzal/world-state';
import { devGenesis, genesisToJson, type L2Genesis } from '@quetzal/protocol/genesis';
import { Tokens } from '@quetzal/protocol/tokens';

/**
 * `quetzal start --local-network`: an anvil L1, the contracts deployed on it (with the verifier of
 * the configured circuit prover's root proofs, or the one given), and the L1 connection every other role uses.
 * The sequencer, the bot, the archiver and the prover roles run alongside when their flags are given.
 */
export const localNetworkPlugin = definePlugin({
  name: 'local-network',
  description: 'Local L1 (anvil) with the rollup contracts deployed, shared by every role of this process',
  role: { description: 'starts anvil, deploys the rollup and serves the L1 connection to every role of this process' },
  options: {
    anvilPort: option.int({ description: 'anvil port (0: a free port)', env: 'LOCAL_NETWORK_ANVIL_PORT', default: 8545, min: 0, max: 65535 }),
    blockTime: option.int({ description: 'Seconds between L1 blocks (L1 time drives L2 slots)', env: 'LOCAL_NETWORK_BLOCK_TIME', default: 1, min: 1 }),
    slotDuration: option.int({ description: 'L1 seconds per L2 slot', env: 'LOCAL_NETWORK_SLOT_DURATION', default: 12, min: 1 }),
    epochDuration: option.int({ description: 'Slots per epoch', env: 'LOCAL_NETWORK_EPOCH_DURATION', default: 8, min: 1, max: 16 }),
    claimWindow: option.int({ description: 'Slots at the start of epoch N+1 during which epoch N can be claimed', env: 'LOCAL_NETWORK_CLAIM_WINDOW', default: 4, min: 1 }),
    proofSubmissionWindow: option.int({ description: 'Slots from the start of epoch N+1 by which epoch N must be proven', env: 'LOCAL_NETWORK_PROOF_SUBMISSION_WINDOW', default: 16, min: 1 }),
    verifier: option.string({
      description: 'L1 verifier of epoch proofs: "auto" (the one matching --circuit-prover.backend: the mock for simulated proofs, bb\'s HonkVerifier for native ones), "mock", or a verifier contract artifact JSON',
      env: 'LOCAL_NETWORK_VERIFIER',
      default: 'auto',
    }),
    verifierLibraries: option.list({ description: 'Artifacts of the libraries the verifier links to', env: 'LOCAL_NETWORK_VERIFIER_LIBRARIES' }),
    genesisAccounts: option.int({ description: 'Dev fee payers with a balance at genesis (the bot spends from them)', env: 'LOCAL_NETWORK_GENESIS_ACCOUNTS', default: 4, min: 1 }),
    deployerPrivateKey: option.string({ description: 'L1 key that deploys (default: anvil dev account 0)', env: 'LOCAL_NETWORK_DEPLOYER_PRIVATE_KEY', secret: true }),
  },
  provides: [Tokens.L1],
  requires: [Tokens.CircuitProver, Tokens.RootVerifier],
  // The running network's L1 and the files it wrote (pass the anvil port it took when it was 0).
  checks: (ctx) =>
    l1Checks(ctx, {
      rpcUrls: [`http://127.0.0.1:${ctx.config.anvilPort}`],
      chainId: ANVIL_CHAIN_ID,
      deploymentFile: join(ctx.dataDir, 'l1-deployment.json'),
      deploymentFlag: '--data-dir (the local network writes local-network/l1-deployment.json there)',
      genesisFile: join(ctx.dataDir, 'genesis.json'),
    }),
  async start(ctx) {
    const c = ctx.config;
    const log = ctx.logger;
    mkdirSync(ctx.dataDir, { recursive: true });
    const anvil = await startAnvil({
      port: c.anvilPort,
      chainId: ANVIL_CHAIN_ID,
      blockTime: c.blockTime,
      onOutput: (line) => log.trace({ anvil: line }),
      // anvil dies with this process; should one still be left running (its watchdog killed too), it is stopped, or named
      pidFile: join(ctx.dataDir, 'anvil.pid'),
      log,
    });
    try {
      const genesis = devGenesis(c.genesisAccounts);
      const prover = ctx.resolve(Tokens.CircuitProver);
      const vkTreeRoot = (await prover.getVkTree()).root;
      // the genesis world state (native hasher set-up) and the dev keys' public keys are each tens of
      // ms of main-thread work: a turn of the event loop after each keeps them apart
      const archiveRoot = await genesisArchiveRoot(genesis, BigInt(ANVIL_CHAIN_ID), 1n);
      await nextTurn();
      // bond and reward tokens for the dev accounts (prover nodes stake bonds from them)
      const mints = ANVIL_DEFAULT_PRIVATE_KEYS.slice(1, 5).map((k) => ({ to: privateKeyToAccount(k).address, amount: 10n ** 24n }));
      await nextTurn();
      const { key: deployerKey } = resolveL1Key({ key: c.deployerPrivateKey, flag: '--local-network.deployer-private-key', devIndex: 0, chainId: ANVIL_CHAIN_ID, redactor: ctx.redactor });
      const deployment = await deployL1Contracts({
        rpcUrls: anvil.url,
        privateKey: deployerKey,
        verifier: c.verifier === 'auto' ? await ctx.resolve(Tokens.RootVerifier)() : parseVerifierChoice(c.verifier, c.verifierLibraries),
        slotDuration: c.slotDuration,
        epochDuration: c.epochDuration,
        claimWindow: c.claimWindow,
        proofSubmissionWindow: c.proofSubmissionWindow,
        vkTreeRoot,
        genesisArchiveRoot: archiveRoot,
        version: 1n,
        mints,
        senderOptions: { pollIntervalMs: 100 },
      });
      const deploymentFile = join(ctx.dataDir, 'l1-deployment.json');
      const genesisFile = join(ctx.dataDir, 'genesis.json');
      writeDeploymentFile(deploymentFile, deployment);
      writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis), null, 2) + '\n');
      const l1 = await createL1Connection({ rpcUrls: [anvil.url], deployment, genesis, pollingIntervalMs: 100, logger: ctx.loggerFor('l1') });
      ctx.provide(Tokens.L1, l1);

      const port = ctx.core.port;
      const rpcUrl = port === 0 ? 'http://<host>:<port of the "started" log line>' : `http://${ctx.core.host}:${port}`;
      const banner = [
        'local network ready',
        `  L1 (anvil)         ${anvil.url}  (chain ${ANVIL_CHAIN_ID}, block time ${c.blockTime} s)`,
        `  JSON-RPC           ${rpcUrl}  (namespaces: archiver, node, proverBroker as the roles run)`,
        `  metrics            ${rpcUrl}/metrics`,
        formatDeployment(deployment, deploymentFile),
        `  join from another process: --l1.rpc-urls ${anvil.url} --l1.deployment ${deploymentFile} --l1-client.genesis-file ${genesisFile}`,
      ].join('\n');
      process.stdout.write(`${banner}\n`);
      log.info({ l1Url: anvil.url, rpcUrl, deploymentFile, rollup: deployment.addresses.rollup, verifier: deployment.verifierKind }, 'local network ready');
      return { stop: () => anvil.stop() };
    } catch (e) {
      await anvil.stop();
      throw e;
    }
  },
});


/** The archive root after genesis (leaf 0 = the genesis block hash), from a throwaway world state. */
export async function genesisArchiveRoot(genesis: L2Genesis, chainId: bigint, version: bigint): Promise<bigint> {
  const dir = mkdtempSync(join(tmpdir(), 'qz-genesis-'));
  try {
    const ws = await LmdbWorldState.open(dir, { genesis: { publicData: genesis.publicData, chainId, version } });
    const root = (await ws.getCommitted().getStateReference()).archive.root;
    await ws.close();
    return root;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
