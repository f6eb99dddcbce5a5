export * from './types.js';
export * from './hash.js';
export * from './reference.js';
export * from './verify.js';
