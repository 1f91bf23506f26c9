import { randomBytes } from 'node:crypto';
import { ByteReader, ByteWriter, ParseError } from '@rivulet/common';
import {
  HEADER_LENGTH,
  MAGIC_COOKIE,
  StunAttr,
  StunClass,
  TRANSACTION_ID_LENGTH,
  isComprehensionRequired,
  isKnownAttribute,
} from './constants.js';

/** One attribute as it appears on the wire (value without padding). */
export interface StunAttribute {
  readonly type: number;
  readonly value: Buffer;
}

/** RFC 8489 §5: the 14-bit type interleaves method bits M0..M11 with class bits C0, C1. */
export function encodeMessageType(method: number, cls: StunClass): number {
  if (!Number.isInteger(method) || method < 0 || method > 0xfff) {
    throw new RangeError(`STUN method must be an integer in 0..0xfff, got ${method}`);
  }
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

export function decodeMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = (((type >> 4) & 1) | ((type >> 7) & 2)) as StunClass;
  return { method, cls };
}

/**
 * A STUN message (RFC 8489 §5). Parsed messages keep the raw bytes so that
 * MESSAGE-INTEGRITY and FINGERPRINT can be verified over exactly what was
 * received; typed accessors live in attributes.ts.
 */
export class StunMessage {
  readonly attributes: StunAttribute[];
  /** The bytes this message was parsed from (undefined for built messages). */
  raw: Buffer | undefined;
  /** Byte offset in `raw` of each attribute header, parallel to `attributes`. */
  offsets: number[] = [];

  constructor(
    readonly method: number,
    readonly messageClass: StunClass,
    readonly transactionId: Buffer = randomBytes(TRANSACTION_ID_LENGTH),
    attributes: StunAttribute[] = [],
  ) {
    if (transactionId.length !== TRANSACTION_ID_LENGTH) {
      throw new RangeError(`STUN transaction id must be 12 bytes, got ${transactionId.length}`);
    }
    encodeMessageType(method, messageClass); // validates method
    this.attributes = attributes;
  }

  /** Transaction id as a 24-char hex string (a map key). */
  get transactionKey(): string {
    return this.transactionId.toString('hex');
  }

  get isRequest(): boolean {
    return this.messageClass === StunClass.Request;
  }
  get isIndication(): boolean {
    return this.messageClass === StunClass.Indication;
  }
  get isResponse(): boolean {
    return this.messageClass === StunClass.SuccessResponse || this.messageClass === StunClass.ErrorResponse;
  }

  /** First attribute of `type`, or undefined. */
  get(type: number): Buffer | undefined {
    for (const a of this.attributes) if (a.type === type) return a.value;
    return undefined;
  }

  has(type: number): boolean {
    return this.attributes.some((a) => a.type === type);
  }

  getAll(type: number): Buffer[] {
    return this.attributes.filter((a) => a.type === type).map((a) => a.value);
  }

  /** Appends an attribute (value without padding). Returns this for chaining. */
  add(type: number, value: Uint8Array = Buffer.alloc(0)): this {
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
      throw new RangeError(`STUN attribute type must be in 0..0xffff, got ${type}`);
    }
    if (value.length > 0xffff) throw new RangeError(`STUN attribute 0x${type.toString(16)} value too long: ${value.length} bytes`);
    this.attributes.push({ type, value: Buffer.from(value.buffer, value.byteOffset, value.length) });
    return this;
  }

  /**
   * Comprehension-required attribute types this codec does not know
   * (RFC 8489 §6.3.1: a request carrying any gets a 420 listing them).
   */
  unknownComprehensionRequired(): number[] {
    const out: number[] = [];
    for (const a of this.attributes) {
      if (isComprehensionRequired(a.type) && !isKnownAttribute(a.type) && !out.includes(a.type)) out.push(a.type);
    }
    return out;
  }

  /** A success or error response skeleton with the same method and transaction id. */
  createResponse(error = false): StunMessage {
    return new StunMessage(this.method, error ? StunClass.ErrorResponse : StunClass.SuccessResponse, this.transactionId);
  }

  /**
   * Parses a datagram. Throws ParseError on anything malformed; network code
   * should use `parseStun` (safe.ts), which counts and returns undefined.
   */
  static parse(buf: Buffer): StunMessage {
    if (buf.length < HEADER_LENGTH) throw new ParseError(`STUN message shorter than header: ${buf.length} bytes`);
    const r = new ByteReader(buf);
    const type = r.u16();
    if (type & 0xc000) throw new ParseError(`STUN first two bits must be zero, type 0x${type.toString(16)}`);
    const length = r.u16();
    if (length % 4 !== 0) throw new ParseError(`STUN length ${length} not a multiple of 4`);
    if (HEADER_LENGTH + length !== buf.length) {
      throw new ParseError(`STUN length field ${length} does not match datagram of ${buf.length} bytes`);
    }
    if (r.u32() !== MAGIC_COOKIE) throw new ParseError('STUN magic cookie mismatch');
    const transactionId = Buffer.from(r.bytes(TRANSACTION_ID_LENGTH));
    const { method, cls } = decodeMessageType(type);
    const msg = new StunMessage(method, cls, transactionId);
    msg.raw = buf;
    let afterIntegrity = false;
    while (r.remaining > 0) {
      const at = r.offset;
      const atype = r.u16();
      const alen = r.u16();
      const value = r.bytes(alen);
      r.align(4, 0);
      // RFC 8489 §14.5/§14.6: attributes after MESSAGE-INTEGRITY(-SHA256) are ignored, except
      // the integrity variants and FINGERPRINT; nothing may follow FINGERPRINT (§14.7).
      if (afterIntegrity && atype !== StunAttr.MessageIntegritySha256 && atype !== StunAttr.Fingerprint && atype !== StunAttr.MessageIntegrity) {
        continue;
      }
      msg.attributes.push({ type: atype, value });
      msg.offsets.push(at);
      if (atype === StunAttr.MessageIntegrity || atype === StunAttr.MessageIntegritySha256) afterIntegrity = true;
      if (atype === StunAttr.Fingerprint) {
        if (r.remaining > 0) throw new ParseError('STUN attributes after FINGERPRINT');
        if (alen !== 4) throw new ParseError(`STUN FINGERPRINT length ${alen}, expected 4`);
      }
    }
    return msg;
  }

  /** Byte offset in `raw` of the first attribute of `type`, or -1. */
  offsetOf(type: number): number {
    const i = this.attributes.findIndex((a) => a.type === type);
    return i < 0 || i >= this.offsets.length ? -1 : this.offsets[i]!;
  }

  /**
   * Serializes without integrity or fingerprint. `integrity.ts` appends those
   * (they are computed over the serialized prefix).
   */
  serializeAttributes(): Buffer {
    const w = new ByteWriter(HEADER_LENGTH + this.attributes.reduce((n, a) => n + 4 + ((a.value.length + 3) & ~3), 0));
    w.u16(encodeMessageType(this.method, this.messageClass));
    w.u16(0); // patched below
    w.u32(MAGIC_COOKIE);
    w.bytes(this.transactionId);
    for (const a of this.attributes) {
      w.u16(a.type);
      w.u16(a.value.length);
      w.bytes(a.value);
      w.pad(4);
    }
    const out = w.finish();
    out.writeUInt16BE(out.length - HEADER_LENGTH, 2);
    return out;
  }
}
