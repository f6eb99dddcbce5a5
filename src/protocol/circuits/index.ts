export * from './abi.js';
export * from './structs.js';
export * from './artifacts.js';
export * from './vk-tree.js';
export * from './child-proof.js';
export * from './convert.js';
export * from './encoding.js';
export * from './block-building.js';
