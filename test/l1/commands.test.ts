import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http } from 'viem';
import { getFreePort, readDeploymentFile, startAnvil } from '@quetzal/l1';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runner = join(root, 'test/l1/run-command.ts');
const dir = mkdtempSync(join(tmpdir(), 'quetzal-l1-cmd-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function startAnvilCommand(port: number): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, 'anvil', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (out.includes('listening on')) {
        clearInterval(t);
        resolve({ child, out: () => out });
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`anvil command exited: ${out}`));
      }
    }, 50);
  });
}

describe('quetzal l1 anvil / l1 deploy', () => {
  it('anvil prints its URL; deploy prints the addresses and writes the deployment file; code at each address; SIGTERM stops anvil', async () => {
    const port = await getFreePort();
    const { child, out } = await startAnvilCommand(port);
    assert.match(out(), new RegExp(`http://127.0.0.1:${port}`));
    // a second anvil on the same port: clear error
    const busy = spawnSync(process.execPath, ['--import', 'tsx', runner, 'anvil', '--port', String(port)], { cwd: root, encoding: 'utf8' });
    assert.notEqual(busy.status, 0);
    assert.match(busy.stderr + busy.stdout, /port \d+ on 127\.0\.0\.1 is already in use/);

    const file = join(dir, 'l1.json');
    const key = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
    const dep = spawnSync(
      process.execPath,
      ['--import', 'tsx', runner, 'deploy', '--l1-rpc-urls', `http://127.0.0.1:${port}`, '--l1.deployment', file, '--epoch-duration', '4', '--claim-window', '2', '--proof-submission-window', '6', '--vk-tree-root', '0x77'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, L1_PRIVATE_KEY: key } },
    );
    assert.equal(dep.status, 0, dep.stderr);
    assert.match(dep.stdout, /Rollup\s+0x[0-9a-fA-F]{40}/);
    assert.ok(!(dep.stdout + dep.stderr).includes(key.slice(2)), 'the private key must not be printed');
    const d = readDeploymentFile(file);
    assert.equal(d.chainId, 31337);
    assert.equal(d.params.epochDuration, 4);
    assert.equal(d.params.vkTreeRoot, 0x77n);
    assert.ok(!readFileSync(file, 'utf8').includes(key.slice(2)));
    const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`) });
    for (const [name, address] of Object.entries(d.addresses)) {
      const code = await client.getCode({ address });
      assert.ok(code && code.length > 2, `no code at ${name} ${address}`);
      assert.ok(dep.stdout.includes(address), `${name} address not printed`);
    }

    // a key with no funds: a clear error with no key in it
    const poor = '0x' + '11'.repeat(32);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', runner, 'deploy', '--l1-rpc-urls', `http://127.0.0.1:${port}`, '--l1.deployment', join(dir, 'x.json'), '--private-key', poor], { cwd: root, encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /deploy QuetzalToken failed/);
    assert.ok(!bad.stderr.includes('11'.repeat(32)));

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 0);
    assert.match(out(), /anvil stopped/);
  });
});

describe('quetzal l1 deploy outside anvil', () => {
  it('refuses the mock verifier and zero roots unless an --unsafe-... flag allows them', async () => {
    const anvil = await startAnvil({ chainId: 1337 });
    try {
      const deploy = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', runner, 'deploy', '--l1-rpc-urls', anvil.url, '--l1.deployment', join(dir, 'c1337.json'), ...args], {
          cwd: root, encoding: 'utf8', env: { ...process.env, L1_PRIVATE_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
        });
      const roots = ['--vk-tree-root', '0x77', '--genesis-archive-root', '0x88'];
      const mock = deploy(...roots);
      assert.notEqual(mock.status, 0);
      assert.match(mock.stderr, /--verifier mock accepts every proof, and chain 1337 is not anvil \(31337\).*--unsafe-mock-verifier/s);
      const zeroVk = deploy('--unsafe-mock-verifier', '--genesis-archive-root', '0x88');
      assert.notEqual(zeroVk.status, 0);
      assert.match(zeroVk.stderr, /--vk-tree-root is 0 and chain 1337 is not anvil.*--unsafe-zero-roots/s);
      const zeroGenesis = deploy('--unsafe-mock-verifier', '--vk-tree-root', '0x77');
      assert.match(zeroGenesis.stderr, /--genesis-archive-root is 0/);
      assert.equal(await createPublicClient({ transport: http(anvil.url) }).getTransactionCount({ address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' }), 0, 'nothing was deployed');

      const allowed = deploy('--unsafe-mock-verifier', '--unsafe-zero-roots');
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.equal(readDeploymentFile(join(dir, 'c1337.json')).verifierKind, 'mock');
      assert.equal(readDeploymentFile(join(dir, 'c1337.json')).chainId, 1337);
    } finally {
      await anvil.stop();
    }
  });
});
