#!/usr/bin/env node
// Quetzal runs its TypeScript sources directly: under Node, tsx compiles on load, so there is no
// build step between a checkout and a running node, and linked plugins may be TypeScript too.
// Deno runs TypeScript itself (`npx deno run -A bin/run.js ...`; deno.json lets the sources'
// `.js` import specifiers name their `.ts` files).
if (!('Deno' in globalThis)) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { execute, settings } = await import('@oclif/core');
// Sources are already transpiled on load; oclif's own ts-node path must stay out of the way.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
