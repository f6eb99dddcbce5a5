export { poseidon2Hash } from './hash/poseidon2.js';
