import { Counters } from '@rivulet/common';

/** The 32-byte IVF file header (the libvpx container, little-endian). */
export interface IvfHeader {
  /** 'VP80', 'VP90' or 'AV01'. */
  fourcc: string;
  width: number;
  height: number;
  /** Time base = timebaseNumerator / timebaseDenominator seconds per pts unit. */
  timebaseDenominator: number;
  timebaseNumerator: number;
  frameCount: number;
}

export interface IvfFrame {
  data: Buffer;
  /** Presentation timestamp in time-base units. */
  pts: number;
}

export type IvfDropReason = 'badSignature' | 'badHeaderSize' | 'oversizedFrame';

/** Largest frame we accept; a corrupt length must not make us buffer gigabytes. */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/**
 * Streaming IVF reader: feed chunks of the file (e.g. ffmpeg's stdout with
 * `-f ivf`), get frames out. A stream with a bad signature or an impossible
 * frame size stops the reader (it cannot resynchronise): the rest is dropped and
 * counted, and `failed` says why.
 */
export class IvfReader {
  readonly counters = new Counters<IvfDropReason>();
  header: IvfHeader | undefined;
  failed: IvfDropReason | undefined;
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): IvfFrame[] {
    if (this.failed) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: IvfFrame[] = [];
    let off = 0;
    if (!this.header) {
      if (this.buf.length < 32) return out;
      if (this.buf.toString('latin1', 0, 4) !== 'DKIF') return this.fail('badSignature');
      const headerSize = this.buf.readUInt16LE(6);
      if (headerSize < 32) return this.fail('badHeaderSize');
      if (this.buf.length < headerSize) return out;
      this.header = {
        fourcc: this.buf.toString('latin1', 8, 12),
        width: this.buf.readUInt16LE(12),
        height: this.buf.readUInt16LE(14),
        timebaseDenominator: this.buf.readUInt32LE(16),
        timebaseNumerator: this.buf.readUInt32LE(20),
        frameCount: this.buf.readUInt32LE(24),
      };
      off = headerSize;
    }
    while (this.buf.length - off >= 12) {
      const size = this.buf.readUInt32LE(off);
      if (size > MAX_FRAME_BYTES) return this.fail('oversizedFrame', out);
      if (this.buf.length - off - 12 < size) break;
      const pts = this.buf.readUInt32LE(off + 4) + this.buf.readUInt32LE(off + 8) * 2 ** 32;
      out.push({ data: Buffer.from(this.buf.subarray(off + 12, off + 12 + size)), pts });
      off += 12 + size;
    }
    this.buf = off === 0 ? this.buf : Buffer.from(this.buf.subarray(off));
    return out;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  private fail(reason: IvfDropReason, out: IvfFrame[] = []): IvfFrame[] {
    this.counters.inc(reason);
    this.failed = reason;
    this.buf = Buffer.alloc(0);
    return out;
  }
}

/**
 * An IVF pts in RTP clock units (90 kHz for video, RFC 7741 §4.1 / RFC 9628 /
 * AV1 RTP §7.1), wrapped to 32 bits; add the stream's random initial timestamp.
 */
export function ivfPtsToRtp(header: IvfHeader, pts: number, clockRate = 90_000): number {
  if (header.timebaseDenominator === 0) {
    throw new RangeError(`ivfPtsToRtp: the IVF header has a zero time base denominator (rate); cannot convert pts ${pts}`);
  }
  return Math.round((pts * clockRate * header.timebaseNumerator) / header.timebaseDenominator) % 2 ** 32;
}
