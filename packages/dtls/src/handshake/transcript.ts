import { createHash } from 'node:crypto';
import { transcriptBytes } from './fragment.js';

/**
 * The running handshake_messages of RFC 5246 §7.4.9 as DTLS defines them (RFC 6347 §4.2.6): each
 * message with its 12-byte header as if unfragmented. The first ClientHello and the
 * HelloVerifyRequest are not part of it.
 */
export class Transcript {
  private readonly parts: Buffer[] = [];

  add(msgType: number, messageSeq: number, body: Uint8Array): void {
    this.parts.push(transcriptBytes(msgType, messageSeq, body));
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  hash(algorithm: 'sha256' | 'sha384'): Buffer {
    const h = createHash(algorithm);
    for (const p of this.parts) h.update(p);
    return h.digest();
  }
}
