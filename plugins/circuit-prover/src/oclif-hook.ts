import type { Hook } from '@oclif/core';
import { circuitProverPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [circuitProverPlugin];
export default hook;
