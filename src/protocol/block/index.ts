export * from './header.js';
export * from './tx-effect.js';
export * from './body.js';
export * from './l2-block.js';
