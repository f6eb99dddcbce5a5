// solc-js on a worker thread: compiling bb's generated HonkVerifier takes tens of seconds of
// synchronous WASM, which on the main thread would stall every role of a first start.
import * as Comlink from 'comlink';
import { compileSolidity, type CompileOptions } from './compile.js';

const api = {
  compile(sources: Record<string, string>, options: CompileOptions) {
    return compileSolidity(sources, options);
  },
};
export type CompileWorkerApi = typeof api;
Comlink.expose(api);
