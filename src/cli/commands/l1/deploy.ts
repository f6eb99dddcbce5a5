import { Command, Flags } from '@oclif/core';
import { createPublicClient, http } from 'viem';
import { deployL1Contracts, writeDeploymentFile, deploymentToJson } from '@quetzal/l1/deployment';
import { DEFAULT_DEPLOYMENT_FILE, DEFAULT_L1_RPC_URL, DEPLOY_DEFAULTS, deployOptionsFromCli, formatDeployment, parseRpcUrls } from '@quetzal/l1/cli-support';
import { scrubSecret } from '@quetzal/l1/errors';

export default class L1Deploy extends Command {
  static override summary = 'Deploy the L1 contracts and write the deployment file';
  static override description =
    'Deploys QuetzalToken, ProofCommitmentEscrow, Inbox, Outbox, the verifier (mock, a compiled artifact, or an existing address) and the Rollup, wires them together and writes the addresses, chain id, parameters and deploy block to --l1.deployment, which every other command reads.';
  static override examples = [
    '<%= config.bin %> l1 deploy',
    '<%= config.bin %> l1 deploy --l1-rpc-urls http://127.0.0.1:8545 --epoch-duration 4 --claim-window 2 --l1.deployment ./l1.json',
    'L1_PRIVATE_KEY=0x... <%= config.bin %> l1 deploy --verifier build/contracts/HonkVerifier.json --vk-tree-root 0x1234 --genesis-archive-root 0x5678',
  ];
  static override flags = {
    'l1-rpc-urls': Flags.string({ description: 'L1 JSON-RPC URL(s), comma separated', env: 'L1_RPC_URLS', default: DEFAULT_L1_RPC_URL, aliases: ['l1.rpc-urls'] }),
    'private-key': Flags.string({ description: 'Deployer private key (default on anvil only: anvil dev account 0)', env: 'L1_PRIVATE_KEY', aliases: ['l1.private-key'] }),
    'l1.deployment': Flags.string({ description: 'Where to write the deployment file', env: 'L1_DEPLOYMENT', default: DEFAULT_DEPLOYMENT_FILE }),
    verifier: Flags.string({ description: '"mock" (accepts every proof: anvil only, unless --unsafe-mock-verifier), a verifier artifact JSON (e.g. the generated HonkVerifier), or the address of a deployed verifier', default: 'mock' }),
    'verifier-library': Flags.string({ description: 'Artifact JSON of a library the verifier links (repeatable)', multiple: true }),
    'slot-duration': Flags.integer({ description: 'L1 seconds per L2 slot', default: DEPLOY_DEFAULTS.slotDuration }),
    'epoch-duration': Flags.integer({ description: 'Slots per epoch (1..16)', default: DEPLOY_DEFAULTS.epochDuration }),
    'claim-window': Flags.integer({ description: 'Slots at the start of epoch N+1 in which epoch N can be claimed', default: DEPLOY_DEFAULTS.claimWindow }),
    'proof-submission-window': Flags.integer({ description: "Slots from the start of epoch N+1 by which epoch N's proof must land", default: DEPLOY_DEFAULTS.proofSubmissionWindow }),
    'vk-tree-root': Flags.string({ description: 'VK tree root (Field; 0 only on anvil, unless --unsafe-zero-roots)', default: '0' }),
    'genesis-archive-root': Flags.string({ description: 'Archive root holding the genesis block hash (Field; 0 only on anvil, unless --unsafe-zero-roots)', default: '0' }),
    'rollup-version': Flags.string({ description: 'Rollup version (the header version field)', default: '1' }),
    'block-reward': Flags.string({ description: 'Tokens minted per proven block on top of its fees', default: DEPLOY_DEFAULTS.blockReward }),
    'minimum-bond': Flags.string({ description: 'Smallest bond a quote may offer', default: DEPLOY_DEFAULTS.minimumBond }),
    'escrow-withdraw-delay': Flags.integer({ description: 'Seconds between starting and executing an escrow withdrawal', default: DEPLOY_DEFAULTS.escrowWithdrawDelay }),
    sequencers: Flags.string({ description: 'Allow-listed proposers, comma separated (round robin by slot); empty = anyone' }),
    mint: Flags.string({ description: 'Mint tokens at deployment, ADDRESS:AMOUNT (repeatable)', multiple: true }),
    'unsafe-mock-verifier': Flags.boolean({ description: 'Allow --verifier mock (accepts every proof) on a chain other than anvil (31337)', default: false }),
    'unsafe-zero-roots': Flags.boolean({ description: 'Allow a zero --vk-tree-root or --genesis-archive-root on a chain other than anvil (31337)', default: false }),
    json: Flags.boolean({ description: 'Print the deployment as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(L1Deploy);
    const secret = flags['private-key'];
    try {
      const urls = parseRpcUrls(flags['l1-rpc-urls']);
      const chainId = await createPublicClient({ transport: http(urls[0]) }).getChainId();
      const { options, usedDevKey } = deployOptionsFromCli(
        {
          l1RpcUrls: flags['l1-rpc-urls'],
          privateKey: secret,
          verifier: flags.verifier,
          verifierLibraries: flags['verifier-library'],
          slotDuration: flags['slot-duration'],
          epochDuration: flags['epoch-duration'],
          claimWindow: flags['claim-window'],
          proofSubmissionWindow: flags['proof-submission-window'],
          vkTreeRoot: flags['vk-tree-root'],
          genesisArchiveRoot: flags['genesis-archive-root'],
          rollupVersion: flags['rollup-version'],
          blockReward: flags['block-reward'],
          minimumBond: flags['minimum-bond'],
          escrowWithdrawDelay: flags['escrow-withdraw-delay'],
          sequencers: flags.sequencers,
          mint: flags.mint,
          unsafeMockVerifier: flags['unsafe-mock-verifier'],
          unsafeZeroRoots: flags['unsafe-zero-roots'],
        },
        chainId,
      );
      if (usedDevKey) this.warn('no private key given: deploying with anvil dev account 0 (local chain only)');
      const deployment = await deployL1Contracts(options);
      const file = flags['l1.deployment'];
      writeDeploymentFile(file, deployment);
      this.log(flags.json ? deploymentToJson(deployment).trimEnd() : formatDeployment(deployment, file));
    } catch (err) {
      this.error(scrubSecret((err as Error).message, secret), { exit: 1 });
    }
  }
}
