import { createHash, createHmac } from 'node:crypto';

export type PrfHash = 'sha256' | 'sha384';

/**
 * RFC 5246 §5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * with A(0) = seed, A(i) = HMAC(secret, A(i-1)). The TLS 1.2 PRF is
 * P_<hash>(secret, label + seed) where <hash> is the cipher suite's PRF hash.
 */
export function prf(hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const fullSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out = Buffer.alloc(length);
  let a: Buffer = fullSeed;
  let written = 0;
  while (written < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(fullSeed).digest();
    written += block.copy(out, written, 0, Math.min(block.length, length - written));
  }
  return out;
}

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function masterSecret(hash: PrfHash, preMaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Buffer {
  return prf(hash, preMaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48);
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * session_hash = Hash(handshake messages up to and including ClientKeyExchange). Binding the master
 * secret to the whole transcript defeats the triple-handshake attack.
 */
export function extendedMasterSecret(hash: PrfHash, preMaster: Uint8Array, sessionHash: Uint8Array): Buffer {
  return prf(hash, preMaster, 'extended master secret', sessionHash, 48);
}

/** RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random + client_random). Note the order. */
export function keyBlock(hash: PrfHash, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Buffer {
  return prf(hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/** RFC 5246 §7.4.9: verify_data = PRF(master, finished_label, Hash(handshake_messages))[0..11]. */
export function verifyData(hash: PrfHash, master: Uint8Array, role: 'client' | 'server', transcript: Uint8Array): Buffer {
  const digest = createHash(hash).update(transcript).digest();
  return prf(hash, master, role === 'client' ? 'client finished' : 'server finished', digest, 12);
}

/**
 * RFC 5705 §4: PRF(master, label, client_random + server_random [+ context_value_length + context_value]).
 * With no context the length field is omitted entirely (not written as zero) — DTLS-SRTP relies on that.
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Buffer {
  const parts: Uint8Array[] = [clientRandom, serverRandom];
  if (context !== undefined) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(context.length);
    parts.push(len, context);
  }
  return prf(hash, master, label, Buffer.concat(parts), length);
}
