import { Counters } from '@rivulet/common';
import { H264NalType, isH264Vcl } from '../h264Nal.js';

const START3 = Buffer.from([0, 0, 1]);

/** Bound on one NAL unit held while waiting for the next start code (a corrupt stream must not grow memory forever). */
const MAX_NAL_BYTES = 16 * 1024 * 1024;

export type AnnexBDropReason = 'bytesBeforeStartCode' | 'oversizedNalUnit';

/**
 * Streaming H.264 Annex B (§B.1) byte-stream splitter: feed chunks of any size,
 * get whole NAL units (without start codes) as soon as the following start code
 * arrives. Trailing zero bytes before a start code are not part of a NAL unit.
 */
export class AnnexBSplitter {
  readonly counters = new Counters<AnnexBDropReason>();
  private buf: Buffer = Buffer.alloc(0);
  /** Offset in buf where the current NAL unit starts, or -1 before the first start code. */
  private nalStart = -1;
  private scanFrom = 0;

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const sc = this.buf.indexOf(START3, this.scanFrom);
      if (sc < 0) break;
      if (this.nalStart >= 0) emitTrimmed(out, this.buf, this.nalStart, sc);
      else if (sc > 0 && this.buf.subarray(0, sc).some((b) => b !== 0)) this.counters.inc('bytesBeforeStartCode');
      this.nalStart = sc + 3;
      this.scanFrom = sc + 3;
    }
    // Keep only the open NAL unit (or, before any start code, the last two bytes that may begin one).
    const keepFrom = this.nalStart >= 0 ? this.nalStart : Math.max(0, this.buf.length - 2);
    if (this.nalStart < 0 && keepFrom > 0 && this.buf.subarray(0, keepFrom).some((b) => b !== 0)) {
      this.counters.inc('bytesBeforeStartCode');
    }
    this.buf = Buffer.from(this.buf.subarray(keepFrom));
    this.scanFrom = Math.max(0, this.buf.length - 2);
    if (this.nalStart >= 0) {
      this.nalStart = 0;
      if (this.buf.length > MAX_NAL_BYTES) {
        this.counters.inc('oversizedNalUnit');
        this.buf = Buffer.alloc(0);
        this.nalStart = -1;
        this.scanFrom = 0;
      }
    }
    return out;
  }

  /** Ends the stream: returns the last NAL unit, if any. */
  flush(): Buffer[] {
    const out: Buffer[] = [];
    if (this.nalStart >= 0) emitTrimmed(out, this.buf, this.nalStart, this.buf.length);
    this.buf = Buffer.alloc(0);
    this.nalStart = -1;
    this.scanFrom = 0;
    return out;
  }
}

function emitTrimmed(out: Buffer[], buf: Buffer, start: number, end: number): void {
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) out.push(Buffer.from(buf.subarray(start, end)));
}

/** One H.264 access unit: the NAL units of one picture. */
export interface H264AccessUnit {
  nalUnits: Buffer[];
  /** Contains an IDR slice. */
  keyframe: boolean;
}

/**
 * Groups a NAL unit stream into access units (H.264 §7.4.1.2.3): a new one
 * starts at an access unit delimiter, SPS, PPS, SEI or NAL types 14..18 that
 * follow a coded slice, or at a slice with first_mb_in_slice = 0 when the
 * current access unit already has a slice. (Detecting a new picture from
 * frame_num/pic_parameter_set_id changes in multi-slice streams whose slices
 * do not start at macroblock 0 is not attempted.) An access unit is emitted
 * when the next one begins, or on flush().
 */
export class H264AccessUnitSplitter {
  readonly nalSplitter = new AnnexBSplitter();
  private current: Buffer[] = [];
  private hasVcl = false;

  /** Feeds Annex B bytes; returns the access units completed by them. */
  push(chunk: Buffer): H264AccessUnit[] {
    return this.pushNalUnits(this.nalSplitter.push(chunk));
  }

  /** Feeds NAL units (without start codes). */
  pushNalUnits(nals: readonly Buffer[]): H264AccessUnit[] {
    const out: H264AccessUnit[] = [];
    for (const nal of nals) {
      const type = nal[0]! & 0x1f;
      const startsPicture =
        type === H264NalType.AccessUnitDelimiter ||
        type === H264NalType.Sps ||
        type === H264NalType.Pps ||
        type === H264NalType.Sei ||
        (type >= 14 && type <= 18) ||
        (isH264Vcl(type) && nal.length > 1 && (nal[1]! & 0x80) !== 0); // ue(v) first_mb_in_slice == 0
      if (startsPicture && this.hasVcl) this.finish(out);
      this.current.push(nal);
      if (isH264Vcl(type)) this.hasVcl = true;
    }
    return out;
  }

  flush(): H264AccessUnit[] {
    const out: H264AccessUnit[] = [];
    this.pushNalUnits(this.nalSplitter.flush()).forEach((au) => out.push(au));
    if (this.current.length > 0) this.finish(out);
    return out;
  }

  private finish(out: H264AccessUnit[]): void {
    out.push({
      nalUnits: this.current,
      keyframe: this.current.some((n) => (n[0]! & 0x1f) === H264NalType.Idr),
    });
    this.current = [];
    this.hasVcl = false;
  }
}
