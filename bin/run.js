#!/usr/bin/env node
// Quetzal runs its TypeScript sources directly: tsx compiles on load, so there is no build step
// between a checkout and a running node.
import { register } from 'tsx/esm/api';

register();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
