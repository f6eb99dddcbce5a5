// The node's libp2p identity: a private key kept in a file (created on first use, mode 0600) so that
// the peer id, and with it the multiaddr other nodes bootstrap to, survives restarts. Never logged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { PeerId, PrivateKey } from '@libp2p/interface';

export interface PeerIdentity {
  privateKey: PrivateKey;
  peerId: PeerId;
  /** True when the key file was created now. */
  created: boolean;
}

/** Reads the key file, or creates it with a new Ed25519 key when absent. */
export async function loadOrCreatePeerKey(file: string): Promise<PeerIdentity> {
  if (existsSync(file)) {
    let privateKey: PrivateKey;
    try {
      privateKey = privateKeyFromProtobuf(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'));
    } catch (e) {
      throw new Error(`--p2p.peer-key-file ${file} does not hold a libp2p private key (hex of its protobuf encoding): ${(e as Error).message.split('\n')[0]}; delete it to create a new identity`, { cause: e });
    }
    return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: false };
  }
  const privateKey = await generateKeyPair('Ed25519');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(privateKeyToProtobuf(privateKey)).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: true };
}
