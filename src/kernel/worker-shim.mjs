// Node bootstrap for pool workers. It gives the worker a web-worker-like global scope
// (postMessage / addEventListener on globalThis, backed by parentPort), so worker modules use
// only web-standard APIs plus comlink and run unchanged wherever a web Worker exists. It also
// registers tsx so a worker module may be TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const endpoint = nodeEndpoint(parentPort);
globalThis.postMessage = endpoint.postMessage.bind(endpoint);
globalThis.addEventListener = endpoint.addEventListener.bind(endpoint);
globalThis.removeEventListener = endpoint.removeEventListener.bind(endpoint);
globalThis.self ??= globalThis;

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
