import type { Hook } from '@oclif/core';
import { archiverPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [archiverPlugin];
export default hook;
