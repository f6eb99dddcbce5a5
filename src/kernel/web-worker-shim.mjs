// Web Worker bootstrap for pool workers (Deno): it loads the worker module named in its URL's
// `module` parameter. Two things a worker_threads worker gets for free are done here:
// - messages that arrive while the module loads are held and replayed once it has called
//   Comlink.expose (a web worker drops messages no listener is there for);
// - an exit (process.exit, Deno.exit, close()) is posted to the pool as a message, since a web
//   Worker has no 'exit' event and the call in flight would otherwise hang.
// The message's key must match EXIT_NOTICE in worker-pool.ts.
/* global self */
const EXIT_NOTICE = 'quetzal:worker-exit';

const held = [];
const hold = (e) => held.push(e.data);
self.addEventListener('message', hold);

self.addEventListener('unload', () => self.postMessage({ [EXIT_NOTICE]: globalThis.Deno?.exitCode ?? 0 }));
const close = self.close.bind(self);
self.close = () => {
  self.postMessage({ [EXIT_NOTICE]: 0 });
  close();
};

await import(new URL(import.meta.url).searchParams.get('module'));
self.removeEventListener('message', hold);
for (const data of held) self.dispatchEvent(new MessageEvent('message', { data }));
