import type { Hook } from '@oclif/core';

const hook: Hook<'quetzal:plugins'> = async () => [];
export default hook;
