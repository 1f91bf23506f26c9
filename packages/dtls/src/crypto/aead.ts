import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCM, type DecipherGCM, type KeyObject } from 'node:crypto';
import type { CipherSuiteInfo } from './cipherSuites.js';

const TAG_LENGTH = 16;
/** RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2). */
const HEADER_LENGTH = 13;

/**
 * Protects and unprotects DTLS records for one direction of one epoch.
 *
 * RFC 5288 §3 / RFC 6347 §4.1.2.1 (AES-GCM): nonce = salt(4, from the key block) ‖ explicit
 * nonce(8); we use epoch ‖ sequence_number as the explicit nonce, which is unique per key.
 * RFC 7905 §2 (ChaCha20-Poly1305): nonce = fixed IV(12) XOR (0^32 ‖ epoch ‖ sequence_number),
 * nothing explicit on the wire.
 * RFC 5246 §6.2.3.3 with RFC 6347 §4.1.2.1: additional_data = epoch(2) ‖ seq(6) ‖ type ‖ version ‖
 * plaintext length(2).
 *
 * This is the per-packet path of every data channel: the nonce and AAD are built in scratch
 * buffers owned by the cipher (createCipheriv and setAAD copy them into OpenSSL at once, so reuse
 * is safe; records of one cipher are sealed one at a time, synchronously), the key is a KeyObject
 * made once (createCipheriv with raw key bytes imports the key again on every call), and a sealed
 * record is one Buffer written in place rather than assembled from pieces.
 */
export class RecordCipher {
  readonly overhead: number;
  private readonly keyObject: KeyObject;
  private readonly explicitLength: number;
  /** 12-byte nonce scratch: the fixed IV (or salt) stays in place, the per-record part is rewritten. */
  private readonly nonceScratch = Buffer.alloc(12);
  private readonly aadScratch = Buffer.alloc(13);

  constructor(
    private readonly suite: CipherSuiteInfo,
    key: Buffer,
    private readonly fixedIv: Buffer,
  ) {
    if (key.length !== suite.keyLength) throw new Error(`record key must be ${suite.keyLength} bytes, got ${key.length}`);
    if (fixedIv.length !== suite.fixedIvLength) {
      throw new Error(`record IV must be ${suite.fixedIvLength} bytes, got ${fixedIv.length}`);
    }
    this.keyObject = createSecretKey(Buffer.from(key));
    this.explicitLength = suite.explicitNonceLength;
    this.overhead = suite.explicitNonceLength + TAG_LENGTH;
  }

  /** Writes the per-record nonce into the scratch buffer and returns it. */
  private nonce(epoch: number, seq: number): Buffer {
    const n = this.nonceScratch;
    const iv = this.fixedIv;
    if (this.explicitLength === 0) {
      // RFC 7905 §2: fixed IV XOR (0^32 ‖ epoch ‖ seq).
      iv.copy(n, 0);
      n.writeUInt16BE((iv.readUInt16BE(4) ^ epoch) & 0xffff, 4);
      const hi = Math.floor(seq / 2 ** 32);
      n.writeUInt16BE((iv.readUInt16BE(6) ^ hi) & 0xffff, 6);
      n.writeUInt32BE((iv.readUInt32BE(8) ^ (seq >>> 0)) >>> 0, 8);
    } else {
      iv.copy(n, 0);
      n.writeUInt16BE(epoch, 4);
      n.writeUIntBE(seq, 6, 6);
    }
    return n;
  }

  private aad(epoch: number, seq: number, type: number, version: number, length: number): Buffer {
    const aad = this.aadScratch;
    aad.writeUInt16BE(epoch, 0);
    aad.writeUIntBE(seq, 2, 6);
    aad[8] = type;
    aad.writeUInt16BE(version, 9);
    aad.writeUInt16BE(length, 11);
    return aad;
  }

  /**
   * Encrypts `plaintext` and writes explicit nonce ‖ ciphertext ‖ tag into `out` at `offset`
   * (`out` must have room for plaintext.length + overhead bytes there). Returns the bytes written.
   */
  private sealInto(epoch: number, seq: number, type: number, version: number, plaintext: Uint8Array, out: Buffer, offset: number): number {
    const nonce = this.nonce(epoch, seq);
    const cipher = createCipheriv(this.suite.aead, this.keyObject, nonce, { authTagLength: TAG_LENGTH } as never) as unknown as CipherGCM;
    cipher.setAAD(this.aad(epoch, seq, type, version, plaintext.length), { plaintextLength: plaintext.length });
    let at = offset;
    if (this.explicitLength > 0) {
      // The explicit nonce is the last 8 bytes of the nonce (epoch ‖ seq).
      nonce.copy(out, at, 4, 12);
      at += 8;
    }
    const body = cipher.update(plaintext);
    // GCM and ChaCha20-Poly1305 are stream modes: update returns every byte, final returns none.
    at += body.copy(out, at);
    cipher.final();
    at += cipher.getAuthTag().copy(out, at);
    return at - offset;
  }

  /** Returns the record fragment: explicit nonce ‖ ciphertext ‖ tag (after `prefix`, e.g. the record header). */
  encrypt(epoch: number, seq: number, type: number, version: number, plaintext: Uint8Array, prefix?: Buffer): Buffer {
    const pre = prefix?.length ?? 0;
    const out = Buffer.allocUnsafe(pre + plaintext.length + this.overhead);
    if (prefix) prefix.copy(out, 0);
    this.sealInto(epoch, seq, type, version, plaintext, out, pre);
    return out;
  }

  /**
   * One whole protected record (RFC 6347 §4.1 header ‖ fragment) in one Buffer: the header is
   * written in place, no intermediate header or fragment buffers.
   */
  sealRecord(type: number, version: number, epoch: number, seq: number, plaintext: Uint8Array): Buffer {
    const length = plaintext.length + this.overhead;
    const out = Buffer.allocUnsafe(HEADER_LENGTH + length);
    out[0] = type;
    out.writeUInt16BE(version, 1);
    out.writeUInt16BE(epoch, 3);
    out.writeUIntBE(seq, 5, 6);
    out.writeUInt16BE(length, 11);
    this.sealInto(epoch, seq, type, version, plaintext, out, HEADER_LENGTH);
    return out;
  }

  /** Returns the plaintext, or undefined when the record does not authenticate (RFC 6347 §4.1.2.7: drop it). */
  decrypt(epoch: number, seq: number, type: number, version: number, fragment: Uint8Array): Buffer | undefined {
    const explicitLength = this.explicitLength;
    if (fragment.length < explicitLength + TAG_LENGTH) return undefined;
    let nonce: Buffer;
    if (explicitLength === 0) nonce = this.nonce(epoch, seq);
    else {
      nonce = this.nonceScratch;
      this.fixedIv.copy(nonce, 0);
      nonce.set(fragment.subarray(0, explicitLength), 4);
    }
    const plaintextLength = fragment.length - explicitLength - TAG_LENGTH;
    try {
      const decipher = createDecipheriv(this.suite.aead, this.keyObject, nonce, {
        authTagLength: TAG_LENGTH,
      } as never) as unknown as DecipherGCM;
      decipher.setAAD(this.aad(epoch, seq, type, version, plaintextLength), { plaintextLength });
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
