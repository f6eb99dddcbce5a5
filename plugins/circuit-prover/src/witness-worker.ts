// Pool worker for ACVM witness generation (noir_js). Web-standard APIs plus comlink only, so it
// runs in node worker_threads (through the kernel's shim) or a web Worker alike.
import * as Comlink from 'comlink';
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';

const noirs = new Map<string, Noir>();

const api = {
  /** Executes `artifact` (cached under `key`) on ABI `inputs`: the gzipped witness and the return value. */
  async execute(key: string, artifact: CompiledCircuit, inputs: Record<string, unknown>): Promise<{ witness: Uint8Array; returnValue: unknown }> {
    let noir = noirs.get(key);
    if (!noir) {
      noir = new Noir(artifact);
      noirs.set(key, noir);
    }
    const { witness, returnValue } = await noir.execute(inputs as never);
    return Comlink.transfer({ witness, returnValue }, [witness.buffer as ArrayBuffer]);
  },
};

export type WitnessWorkerApi = typeof api;
Comlink.expose(api);
