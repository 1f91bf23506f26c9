import type { Counters } from '@rivulet/common';
import { rtpPacketsEqual, validateOpaqueExtension, validateRtpFields } from './rtpFieldChecks.js';
import {
  type RtpHeaderExtension,
  extensionElementsLength,
  fitsOneByte,
  elementsMatchBlock,
  parseExtensionElements,
  validateExtensionElements,
  writeExtensionElements,
} from './headerExtensionBlock.js';
import { rtpPacketFields, type RtpPacketFields, type RtpPacketInit } from './rtpPacketInit.js';
import { RTP_HEADER_SIZE, decodeRtpInto } from './rtpPacketParse.js';

export { RTP_HEADER_SIZE };
export type { RtpPacketFields, RtpPacketInit };

// Plain local references to the parser and the header size: a loader that turns imports into
// getter-backed module objects (tsx, the test and bench runner) would otherwise add a getter
// call to every parse and serialize. (The fixed-header write stays inline in serializeInto:
// as a function of its own it measured ~10 ns slower per packet.)
const decode = decodeRtpInto;
const HEADER_SIZE = RTP_HEADER_SIZE;

// Local copies of the RFC 8285 profile tests: this is the per-packet path, and calls
// through module bindings cost more than the comparisons themselves under some loaders.
const ONE_BYTE_PROFILE = 0xbede;
const TWO_BYTE_PROFILE = 0x1000;
function isOneByteProfile(profile: number): boolean {
  return profile === ONE_BYTE_PROFILE;
}
function isTwoByteProfile(profile: number): boolean {
  return (profile & 0xfff0) === TWO_BYTE_PROFILE;
}

/**
 * An RTP packet (RFC 3550 §5.1). Parsing never copies: `payload`, extension
 * values and `extensionData` are views of the input buffer, so the input must
 * not be reused while the packet is in use.
 *
 * Header extensions (RFC 3550 §5.3.1):
 * - `extensionProfile === undefined`: no X bit (unless `extensions` is non-empty,
 *   then serialize picks one-byte when every element fits, else two-byte).
 * - 0xBEDE / 0x100x: RFC 8285 elements in `extensions`.
 * - any other profile: the opaque block body in `extensionData`.
 */
export class RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extensionProfile: number | undefined;
  extensionData: Buffer | undefined;
  /** RFC 3550 §5.1 P bit: number of padding octets including the count octet; 0 = none. */
  paddingLength: number;

  // Parsed packets keep the source buffer and offsets; the extension list and the
  // payload view are only created when first read (in Node 20 a subarray costs more
  // than reading the whole fixed header; making both eager halves parse+serialize
  // throughput), and an untouched extension block is copied verbatim by serialize.
  // This is what makes parse → rewrite → serialize cheap. #private so that JSON and
  // inspection see only the packet (use toJSON()/equals() to compare packets).
  #src: Buffer | undefined;
  #srcProfile = -1;
  #extStart = 0;
  #extEnd = 0;
  #payStart = 0;
  #payEnd = 0;
  #exts: RtpHeaderExtension[] | undefined;
  #pay: Buffer | undefined;

  constructor(init: RtpPacketInit = {}) {
    this.marker = init.marker ?? false;
    this.payloadType = init.payloadType ?? 0;
    this.sequenceNumber = init.sequenceNumber ?? 0;
    this.timestamp = init.timestamp ?? 0;
    this.ssrc = init.ssrc ?? 0;
    this.csrcs = init.csrcs ?? [];
    this.extensionProfile = init.extensionProfile;
    this.extensionData = init.extensionData;
    this.paddingLength = init.paddingLength ?? 0;
    this.#exts = init.extensions;
    this.#pay = init.payload;
  }

  /** RFC 8285 elements (views into the parsed packet). Reading makes serialize re-encode them. */
  get extensions(): RtpHeaderExtension[] {
    let e = this.#exts;
    if (e === undefined) {
      const src = this.#src;
      e = src !== undefined && this.#srcProfile >= 0 ? parseExtensionElements(src, this.#extStart, this.#extEnd, isTwoByteProfile(this.#srcProfile)) : [];
      this.#exts = e;
    }
    return e;
  }

  set extensions(value: RtpHeaderExtension[]) {
    this.#exts = value;
  }

  /** The payload: a view into the parsed packet (no copy). */
  get payload(): Buffer {
    let p = this.#pay;
    if (p === undefined) {
      p = this.#src !== undefined ? this.#src.subarray(this.#payStart, this.#payEnd) : EMPTY;
      this.#pay = p;
    }
    return p;
  }

  set payload(value: Buffer) {
    this.#pay = value;
  }

  private get payloadLength(): number {
    return this.#pay !== undefined ? this.#pay.length : this.#payEnd - this.#payStart;
  }

  /**
   * True when serialize can copy the parsed RFC 8285 block as it came: same profile, and the
   * element list either never read or still naming exactly the parsed elements (same ids and
   * the same views, in order; in-place edits of value bytes are edits of the block itself).
   */
  private rawExtensions(): boolean {
    const src = this.#src;
    const profile = this.#srcProfile;
    if (src === undefined || profile < 0 || profile !== this.extensionProfile) return false;
    const exts = this.#exts;
    return exts === undefined || elementsMatchBlock(exts, src, this.#extStart, this.#extEnd, isTwoByteProfile(profile));
  }

  /** Parses an RTP packet; throws ParseError on malformed input (rtpPacketParse.ts). */
  static parse(buf: Buffer): RtpPacket {
    const p = new RtpPacket();
    decode(buf, p);
    return p;
  }

  /**
   * For rtpPacketParse.ts only: makes this freshly decoded packet read its RFC 8285 elements
   * (`srcProfile` ≥ 0: the block at extStart..extEnd) and its payload (payStart..payEnd) from `src`.
   * @internal
   */
  adoptParsedSource(src: Buffer, srcProfile: number, extStart: number, extEnd: number, payStart: number, payEnd: number): void {
    this.#src = src;
    this.#srcProfile = srcProfile;
    this.#extStart = extStart;
    this.#extEnd = extEnd;
    this.#payStart = payStart;
    this.#payEnd = payEnd;
  }

  /**
   * Like parse, but returns undefined instead of throwing (for network input);
   * counts the drop as 'rtpMalformed' in `counters` when given.
   */
  static tryParse(buf: Buffer, counters?: Counters<'rtpMalformed'>): RtpPacket | undefined {
    try {
      return RtpPacket.parse(buf);
    } catch {
      counters?.inc('rtpMalformed');
      return undefined;
    }
  }

  /** Whether serialize will write the two-byte form (RFC 8285 §4.3). */
  private usesTwoByte(): boolean {
    const profile = this.extensionProfile;
    if (profile === undefined) return !fitsOneByte(this.extensions);
    return isTwoByteProfile(profile);
  }

  private hasExtensionBlock(): boolean {
    if (this.extensionProfile !== undefined) return true;
    if (this.#exts === undefined && this.#srcProfile < 0) return false;
    return this.extensions.length > 0;
  }

  private extensionBodyLength(): number {
    const profile = this.extensionProfile;
    if (profile !== undefined && !isOneByteProfile(profile) && !isTwoByteProfile(profile)) {
      return this.extensionData?.length ?? 0;
    }
    if (this.rawExtensions()) return this.#extEnd - this.#extStart;
    return (extensionElementsLength(this.extensions, this.usesTwoByte()) + 3) & ~3;
  }

  /** Header length in bytes as serialize would write it. */
  get headerLength(): number {
    let n = HEADER_SIZE + this.csrcs.length * 4;
    if (this.hasExtensionBlock()) n += 4 + this.extensionBodyLength();
    return n;
  }

  /** Total serialized length in bytes. */
  get serializedLength(): number {
    return this.headerLength + this.payloadLength + this.paddingLength;
  }

  /** Returns the extension value with this id, a view, or undefined. */
  getExtension(id: number): Buffer | undefined {
    const exts = this.extensions;
    for (let i = 0; i < exts.length; i++) if (exts[i]!.id === id) return exts[i]!.data;
    return undefined;
  }

  /** Sets (replacing any element with the same id) an RFC 8285 extension value. */
  setExtension(id: number, data: Buffer): void {
    const exts = this.extensions;
    for (let i = 0; i < exts.length; i++) {
      if (exts[i]!.id === id) {
        exts[i] = { id, data };
        return;
      }
    }
    exts.push({ id, data });
  }

  /** Removes the element with this id; returns whether one was there. */
  removeExtension(id: number): boolean {
    const i = this.extensions.findIndex((e) => e.id === id);
    if (i < 0) return false;
    this.extensions.splice(i, 1);
    return true;
  }

  private validate(): void {
    validateRtpFields(this);
    const profile = this.extensionProfile;
    if (profile !== undefined && !isOneByteProfile(profile) && !isTwoByteProfile(profile)) {
      validateOpaqueExtension(profile, this.extensions.length, this.extensionData);
      return;
    }
    if (!this.rawExtensions() && (this.#exts !== undefined || this.#srcProfile >= 0)) {
      const exts = this.extensions;
      if (exts.length > 0) validateExtensionElements(exts, this.usesTwoByte());
    }
  }

  /**
   * Writes the packet into `out` at `offset` (e.g. a reused buffer) and returns
   * the number of bytes written. Throws when the packet is invalid or `out` is too small.
   * `out` must not overlap the buffer this packet was parsed from (payload and extension
   * values are read from it while writing); for in-place edits use rewriteRtpHeader.
   */
  serializeInto(out: Buffer, offset = 0): number {
    this.validate();
    const total = this.serializedLength;
    if (offset + total > out.length) {
      throw new Error(`RTP serializeInto needs ${total} bytes at offset ${offset}, buffer has ${out.length}`);
    }
    const hasExt = this.hasExtensionBlock();
    const pad = this.paddingLength;
    const csrcs = this.csrcs;
    out[offset] = 0x80 | (pad > 0 ? 0x20 : 0) | (hasExt ? 0x10 : 0) | csrcs.length;
    out[offset + 1] = (this.marker ? 0x80 : 0) | this.payloadType;
    out[offset + 2] = this.sequenceNumber >>> 8;
    out[offset + 3] = this.sequenceNumber & 0xff;
    const ts = this.timestamp;
    out[offset + 4] = ts >>> 24;
    out[offset + 5] = (ts >>> 16) & 0xff;
    out[offset + 6] = (ts >>> 8) & 0xff;
    out[offset + 7] = ts & 0xff;
    const ssrc = this.ssrc;
    out[offset + 8] = ssrc >>> 24;
    out[offset + 9] = (ssrc >>> 16) & 0xff;
    out[offset + 10] = (ssrc >>> 8) & 0xff;
    out[offset + 11] = ssrc & 0xff;
    let pos = offset + HEADER_SIZE;
    for (let i = 0; i < csrcs.length; i++, pos += 4) out.writeUInt32BE(csrcs[i]!, pos);
    let payloadDone = false;
    if (hasExt) {
      const twoByte = this.usesTwoByte();
      let profile = this.extensionProfile;
      if (profile === undefined) profile = twoByte ? TWO_BYTE_PROFILE : ONE_BYTE_PROFILE;
      const body = this.extensionBodyLength();
      out[pos] = profile >>> 8;
      out[pos + 1] = profile & 0xff;
      out[pos + 2] = (body >>> 10) & 0xff;
      out[pos + 3] = (body >>> 2) & 0xff;
      pos += 4;
      if (this.rawExtensions()) {
        // The payload follows the block in the source, so one copy moves both when the payload is untouched.
        const end = this.#pay === undefined ? this.#payEnd : this.#extEnd;
        this.#src!.copy(out, pos, this.#extStart, end);
        pos += end - this.#extStart;
        if (this.#pay === undefined) payloadDone = true;
      } else if (isOneByteProfile(profile) || isTwoByteProfile(profile)) {
        pos = writeExtensionElements(out, pos, this.extensions, twoByte);
      } else if (this.extensionData) {
        this.extensionData.copy(out, pos);
        pos += this.extensionData.length;
      }
    }
    if (payloadDone) {
      // copied together with the extension block
    } else if (this.#pay !== undefined) {
      this.#pay.copy(out, pos);
      pos += this.#pay.length;
    } else if (this.#src !== undefined) {
      this.#src.copy(out, pos, this.#payStart, this.#payEnd);
      pos += this.#payEnd - this.#payStart;
    }
    if (pad > 0) {
      out.fill(0, pos, pos + pad - 1);
      out[pos + pad - 1] = pad;
      pos += pad;
    }
    return pos - offset;
  }

  /** Serializes into a new Buffer. */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.serializedLength);
    this.serializeInto(out, 0);
    return out;
  }

  /**
   * A plain object with every field, payload and extensions included. `payload` and
   * `extensions` are accessors, so deep-equality helpers that walk own properties do not
   * see them on the packet itself: compare `a.toJSON()` or use `a.equals(b)`.
   */
  toJSON(): RtpPacketFields {
    return rtpPacketFields(this);
  }

  /** Same header fields, CSRCs, extension profile, extensions (ids and bytes, in order), payload bytes and padding. */
  equals(other: RtpPacket): boolean {
    return rtpPacketsEqual(this, other);
  }

  /** A copy whose arrays are new (values are still shared views). */
  clone(): RtpPacket {
    return new RtpPacket(rtpPacketFields(this));
  }
}

const EMPTY = Buffer.alloc(0);

/** Parses an RTP packet; throws ParseError on malformed input. */
export function parseRtp(buf: Buffer): RtpPacket {
  return RtpPacket.parse(buf);
}

/** Parses an RTP packet; returns undefined on malformed input (never throws), counting 'rtpMalformed'. */
export function tryParseRtp(buf: Buffer, counters?: Counters<'rtpMalformed'>): RtpPacket | undefined {
  return RtpPacket.tryParse(buf, counters);
}
