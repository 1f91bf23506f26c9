import { createCipheriv, createDecipheriv, type CipherGCM, type DecipherGCM } from 'node:crypto';
import type { CipherSuiteInfo } from './cipherSuites.js';

const TAG_LENGTH = 16;

/**
 * Protects and unprotects DTLS records for one direction of one epoch.
 *
 * RFC 5288 §3 / RFC 6347 §4.1.2.1 (AES-GCM): nonce = salt(4, from the key block) ‖ explicit
 * nonce(8); we use epoch ‖ sequence_number as the explicit nonce, which is unique per key.
 * RFC 7905 §2 (ChaCha20-Poly1305): nonce = fixed IV(12) XOR (0^32 ‖ epoch ‖ sequence_number),
 * nothing explicit on the wire.
 * RFC 5246 §6.2.3.3 with RFC 6347 §4.1.2.1: additional_data = epoch(2) ‖ seq(6) ‖ type ‖ version ‖
 * plaintext length(2).
 */
export class RecordCipher {
  readonly overhead: number;

  constructor(
    private readonly suite: CipherSuiteInfo,
    private readonly key: Buffer,
    private readonly fixedIv: Buffer,
  ) {
    if (key.length !== suite.keyLength) throw new Error(`record key must be ${suite.keyLength} bytes, got ${key.length}`);
    if (fixedIv.length !== suite.fixedIvLength) {
      throw new Error(`record IV must be ${suite.fixedIvLength} bytes, got ${fixedIv.length}`);
    }
    this.overhead = suite.explicitNonceLength + TAG_LENGTH;
  }

  private nonce(epoch: number, seq: number): { nonce: Buffer; explicit: Buffer } {
    const seqBytes = Buffer.alloc(8);
    seqBytes.writeUInt16BE(epoch, 0);
    seqBytes.writeUIntBE(seq, 2, 6);
    if (this.suite.explicitNonceLength === 0) {
      const nonce = Buffer.from(this.fixedIv);
      for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seqBytes[i]!;
      return { nonce, explicit: Buffer.alloc(0) };
    }
    return { nonce: Buffer.concat([this.fixedIv, seqBytes]), explicit: seqBytes };
  }

  private static aad(epoch: number, seq: number, type: number, version: number, length: number): Buffer {
    const aad = Buffer.alloc(13);
    aad.writeUInt16BE(epoch, 0);
    aad.writeUIntBE(seq, 2, 6);
    aad[8] = type;
    aad.writeUInt16BE(version, 9);
    aad.writeUInt16BE(length, 11);
    return aad;
  }

  /** Returns the record fragment: explicit nonce ‖ ciphertext ‖ tag (after `prefix`, e.g. the record header). */
  encrypt(epoch: number, seq: number, type: number, version: number, plaintext: Uint8Array, prefix?: Buffer): Buffer {
    const { nonce, explicit } = this.nonce(epoch, seq);
    const cipher = createCipheriv(this.suite.aead, this.key, nonce, { authTagLength: TAG_LENGTH } as never) as unknown as CipherGCM;
    cipher.setAAD(RecordCipher.aad(epoch, seq, type, version, plaintext.length), { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    cipher.final();
    const tag = cipher.getAuthTag();
    // One allocation for the whole record: this is the per-packet path for SCTP data.
    const pre = prefix?.length ?? 0;
    const out = Buffer.allocUnsafe(pre + explicit.length + body.length + TAG_LENGTH);
    if (prefix) prefix.copy(out, 0);
    explicit.copy(out, pre);
    body.copy(out, pre + explicit.length);
    tag.copy(out, pre + explicit.length + body.length);
    return out;
  }

  /** Returns the plaintext, or undefined when the record does not authenticate (RFC 6347 §4.1.2.7: drop it). */
  decrypt(epoch: number, seq: number, type: number, version: number, fragment: Uint8Array): Buffer | undefined {
    const explicitLength = this.suite.explicitNonceLength;
    if (fragment.length < explicitLength + TAG_LENGTH) return undefined;
    let nonce: Buffer;
    if (explicitLength === 0) nonce = this.nonce(epoch, seq).nonce;
    else nonce = Buffer.concat([this.fixedIv, fragment.subarray(0, explicitLength)]);
    const plaintextLength = fragment.length - explicitLength - TAG_LENGTH;
    try {
      const decipher = createDecipheriv(this.suite.aead, this.key, nonce, {
        authTagLength: TAG_LENGTH,
      } as never) as unknown as DecipherGCM;
      decipher.setAAD(RecordCipher.aad(epoch, seq, type, version, plaintextLength), { plaintextLength });
      decipher.setAuthTag(fragment.subarray(fragment.length - TAG_LENGTH));
      const out = decipher.update(fragment.subarray(explicitLength, fragment.length - TAG_LENGTH));
      decipher.final();
      return out;
    } catch {
      return undefined;
    }
  }
}

/** The four keys/IVs of RFC 5246 §6.3 for an AEAD suite (no MAC keys). */
export interface RecordKeys {
  clientWriteKey: Buffer;
  serverWriteKey: Buffer;
  clientWriteIv: Buffer;
  serverWriteIv: Buffer;
}

export function splitKeyBlock(suite: CipherSuiteInfo, block: Buffer): RecordKeys {
  const k = suite.keyLength;
  const iv = suite.fixedIvLength;
  return {
    clientWriteKey: block.subarray(0, k),
    serverWriteKey: block.subarray(k, 2 * k),
    clientWriteIv: block.subarray(2 * k, 2 * k + iv),
    serverWriteIv: block.subarray(2 * k + iv, 2 * k + 2 * iv),
  };
}

export function keyBlockLength(suite: CipherSuiteInfo): number {
  return 2 * (suite.keyLength + suite.fixedIvLength);
}
