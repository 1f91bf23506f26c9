import { Counters } from '@rivulet/common';

/**
 * Streaming Ogg (RFC 3533) page reader and Opus-in-Ogg (RFC 7845) packet
 * reader, for feeding the Opus payloader from `ffmpeg -f ogg` or .opus files.
 */

/** RFC 3533 §6: CRC-32 with polynomial 0x04c11db7, no reflection, zero init, no final xor. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc32(data: Buffer): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc;
}

export interface OggPage {
  /** header_type flags: 0x01 continued packet, 0x02 first page (BOS), 0x04 last page (EOS). */
  headerType: number;
  /** Granule position (codec-defined; for Opus, 48 kHz samples); -1 when no packet ends on the page. */
  granulePosition: number;
  serial: number;
  sequence: number;
  /** Lacing values (RFC 3533 §6). */
  segments: Uint8Array;
  body: Buffer;
}

export type OggDropReason = 'resync' | 'crcMismatch' | 'badVersion' | 'brokenContinuation' | 'otherStream' | 'badOpusHead';

const CAPTURE = Buffer.from('OggS', 'latin1');

/** Streaming page reader: resynchronises on the capture pattern after garbage or a bad CRC. */
export class OggPageReader {
  readonly counters = new Counters<OggDropReason>();
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): OggPage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: OggPage[] = [];
    let off = 0;
    for (;;) {
      const at = this.buf.indexOf(CAPTURE, off);
      if (at < 0) {
        // Keep up to 3 bytes that may begin a capture pattern.
        const keep = Math.max(off, this.buf.length - 3);
        if (keep > off) this.counters.inc('resync');
        off = keep;
        break;
      }
      if (at > off) this.counters.inc('resync');
      off = at;
      if (this.buf.length - off < 27) break;
      const nsegs = this.buf[off + 26]!;
      const headerLen = 27 + nsegs;
      if (this.buf.length - off < headerLen) break;
      let bodyLen = 0;
      for (let i = 0; i < nsegs; i++) bodyLen += this.buf[off + 27 + i]!;
      if (this.buf.length - off < headerLen + bodyLen) break;
      const page = this.buf.subarray(off, off + headerLen + bodyLen);
      const version = page[4]!;
      const crc = page.readUInt32LE(22);
      const copy = Buffer.from(page);
      copy.writeUInt32LE(0, 22);
      if (version !== 0 || oggCrc32(copy) !== crc) {
        this.counters.inc(version !== 0 ? 'badVersion' : 'crcMismatch');
        off += 1; // not a real page: look for the next capture pattern
        continue;
      }
      out.push({
        headerType: page[5]!,
        granulePosition: Number(page.readBigInt64LE(6)),
        serial: page.readUInt32LE(14),
        sequence: page.readUInt32LE(18),
        segments: new Uint8Array(copy.subarray(27, headerLen)),
        body: copy.subarray(headerLen),
      });
      off += headerLen + bodyLen;
    }
    this.buf = Buffer.from(this.buf.subarray(off));
    return out;
  }
}

/** RFC 7845 §5.1 identification header. */
export interface OpusHead {
  version: number;
  channels: number;
  preSkip: number;
  inputSampleRate: number;
  outputGainQ8: number;
  mappingFamily: number;
}

export interface OggOpusPacket {
  data: Buffer;
  /** The page's granule position when this packet is the last one completed on its page, else undefined. */
  granulePosition: number | undefined;
  /** Duration in 48 kHz samples from the TOC byte (RFC 6716 §3.1), 0 when the TOC is malformed. */
  samples: number;
}

/**
 * Opus-in-Ogg reader (RFC 7845): follows the first logical stream, parses
 * OpusHead, skips OpusTags, and yields audio packets reassembled across pages.
 */
export class OggOpusReader {
  readonly pages = new OggPageReader();
  readonly counters = this.pages.counters;
  head: OpusHead | undefined;
  private serial: number | undefined;
  private packetIndex = 0;
  private partial: Buffer[] | undefined;

  push(chunk: Buffer): OggOpusPacket[] {
    const out: OggOpusPacket[] = [];
    for (const page of this.pages.push(chunk)) this.onPage(page, out);
    return out;
  }

  private onPage(page: OggPage, out: OggOpusPacket[]): void {
    if (this.serial === undefined) this.serial = page.serial;
    if (page.serial !== this.serial) {
      this.counters.inc('otherStream');
      return;
    }
    const continued = (page.headerType & 0x01) !== 0;
    if (continued !== (this.partial !== undefined)) {
      this.counters.inc('brokenContinuation');
      this.partial = undefined;
    }
    const completed: Buffer[] = [];
    let off = 0;
    let skipping = continued && this.partial === undefined; // tail of a packet whose head we never saw
    let pieceStart = 0;
    for (let i = 0; i < page.segments.length; i++) {
      const lace = page.segments[i]!;
      off += lace;
      if (lace === 255) continue;
      const piece = page.body.subarray(pieceStart, off);
      pieceStart = off;
      if (skipping) {
        skipping = false;
        continue;
      }
      const parts = this.partial ?? [];
      parts.push(piece);
      this.partial = undefined;
      completed.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    }
    if (pieceStart < off && !skipping) {
      (this.partial ??= []).push(page.body.subarray(pieceStart, off));
    }
    completed.forEach((packet, i) => this.onPacket(packet, i === completed.length - 1 ? page.granulePosition : undefined, out));
  }

  private onPacket(data: Buffer, granule: number | undefined, out: OggOpusPacket[]): void {
    const index = this.packetIndex++;
    if (index === 0) {
      // RFC 7845 §5.1: 'OpusHead', version, channels, pre-skip, rate, gain, mapping family.
      if (data.length < 19 || data.toString('latin1', 0, 8) !== 'OpusHead') {
        this.counters.inc('badOpusHead');
        return;
      }
      this.head = {
        version: data[8]!,
        channels: data[9]!,
        preSkip: data.readUInt16LE(10),
        inputSampleRate: data.readUInt32LE(12),
        outputGainQ8: data.readInt16LE(16),
        mappingFamily: data[18]!,
      };
      return;
    }
    if (index === 1) return; // RFC 7845 §5.2 OpusTags
    if (!this.head) return;
    out.push({ data, granulePosition: granule, samples: opusPacketSamples(data) });
  }
}

/** RFC 6716 §3.1: samples at 48 kHz in one Opus packet, from its TOC (and frame-count byte); 0 if malformed. */
export function opusPacketSamples(packet: Buffer): number {
  if (packet.length < 1) return 0;
  const toc = packet[0]!;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3]!; // SILK 10/20/40/60 ms
  else if (config < 16) frameSamples = config & 1 ? 960 : 480; // Hybrid 10/20 ms
  else frameSamples = [120, 240, 480, 960][config & 3]!; // CELT 2.5/5/10/20 ms
  const code = toc & 3;
  let frames = 1;
  if (code === 1 || code === 2) frames = 2;
  else if (code === 3) {
    if (packet.length < 2) return 0;
    frames = packet[1]! & 0x3f;
  }
  const total = frames * frameSamples;
  return total > 5760 ? 0 : total; // §3.2.5: at most 120 ms
}
