#!/usr/bin/env node
// Quetzal runs its TypeScript sources directly: tsx compiles on load, so there is no build step
// between a checkout and a running node, and linked plugins may be TypeScript too.
import { register } from 'tsx/esm/api';

register();
const { execute, settings } = await import('@oclif/core');
// tsx already transpiles every .ts module; oclif's own ts-node path must stay out of the way.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
