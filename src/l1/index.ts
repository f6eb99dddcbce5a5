export * from './anvil.js';
export * from './compile.js';
export * from './contracts.js';
export * from './deployment.js';
export * from './errors.js';
export * from './tx-sender.js';
export * from './rollup.js';
export * from './cli-support.js';
