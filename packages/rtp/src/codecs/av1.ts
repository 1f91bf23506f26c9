import { Counters } from '@rivulet/common';
import { leb128Size, readLeb128, writeLeb128 } from './bits.js';
import { Av1ObuType, av1StartsCodedVideoSequence, readAv1Obu, splitAv1Obus } from './av1Obu.js';
import {
  checkMaxPayloadSize,
  type DepayloadDropReason,
  type DepayloadedFrame,
  type Depayloader,
  type PacketInfo,
  type Payloader,
  type RtpPacketLike,
  type RtpPayload,
} from './types.js';

// AV1 RTP payload spec §4.4 aggregation header bits.
const Z = 0x80;
const Y = 0x40;
const N = 0x08;

export interface Av1PayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
}

export type Av1PayloaderEvent = 'malformedTemporalUnit';

/**
 * AV1 RTP payloader (AV1 RTP spec §4-5). Input is one temporal unit in the
 * low-overhead format (what IVF and encoders produce). Temporal delimiters and
 * tile lists are removed (§5), each OBU loses its size field and becomes an OBU
 * element; elements are packed in order, fragmented across packets with Y/Z.
 * W counts the elements when there are at most 3 so the last needs no length.
 * N marks the first packet of a temporal unit that starts a new coded video
 * sequence: a sequence header and a KEY_FRAME (the keyframe).
 */
export class Av1Payloader implements Payloader {
  readonly maxPayloadSize: number;
  readonly counters = new Counters<Av1PayloaderEvent>();

  constructor(options: Av1PayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('AV1', options.maxPayloadSize ?? 1200, 4);
  }

  payload(frame: Buffer): RtpPayload[] {
    const obus = splitAv1Obus(frame);
    if (!obus) {
      this.counters.inc('malformedTemporalUnit');
      return [];
    }
    const elements: Buffer[] = [];
    const newSequence = av1StartsCodedVideoSequence(obus);
    for (const obu of obus) {
      if (obu.type === Av1ObuType.TemporalDelimiter || obu.type === Av1ObuType.TileList) continue;
      const el = Buffer.allocUnsafe(obu.header.length + obu.payload.length);
      obu.header.copy(el);
      el[0] = el[0]! & ~0x02; // obu_has_size_field = 0: the element length says it
      obu.payload.copy(el, obu.header.length);
      elements.push(el);
    }
    return this.packetize(elements, newSequence);
  }

  private packetize(elements: readonly Buffer[], newSequence: boolean): RtpPayload[] {
    const packets: { parts: Buffer[]; z: boolean; y: boolean }[] = [];
    let cur = { parts: [] as Buffer[], z: false, y: false };
    let size = 1;
    for (const el of elements) {
      let off = 0;
      while (off < el.length) {
        const avail = this.maxPayloadSize - size;
        const rest = el.length - off;
        if (leb128Size(rest) + rest <= avail) {
          cur.parts.push(el.subarray(off));
          size += leb128Size(rest) + rest;
          break;
        }
        // A fragment always ends its packet: with at most 3 elements W lets it go without a length.
        let n = avail;
        if (cur.parts.length + 1 > 3) {
          n = avail - leb128Size(avail);
          if (leb128Size(n) + n > avail) n--;
        }
        if (n >= rest) {
          // It fits only as the packet's unsized last element (W = count): close the packet with it.
          cur.parts.push(el.subarray(off));
          packets.push(cur);
          cur = { parts: [], z: false, y: false };
          size = 1;
          break;
        }
        if (n >= 1) {
          cur.parts.push(el.subarray(off, off + n));
          off += n;
          cur.y = true;
        }
        packets.push(cur);
        cur = { parts: [], z: cur.y, y: false };
        size = 1;
      }
    }
    if (cur.parts.length > 0) packets.push(cur);
    return packets.map((p, i) => ({
      payload: serialize(p.parts, p.z, p.y, newSequence && i === 0),
      marker: i === packets.length - 1,
    }));
  }
}

function serialize(parts: readonly Buffer[], z: boolean, y: boolean, n: boolean): Buffer {
  const w = parts.length <= 3 ? parts.length : 0;
  let total = 1;
  parts.forEach((p, i) => {
    total += p.length + (w !== 0 && i === parts.length - 1 ? 0 : leb128Size(p.length));
  });
  const out = Buffer.allocUnsafe(total);
  out[0] = (z ? Z : 0) | (y ? Y : 0) | (w << 4) | (n ? N : 0);
  let off = 1;
  parts.forEach((p, i) => {
    if (!(w !== 0 && i === parts.length - 1)) off = writeLeb128(out, off, p.length);
    p.copy(out, off);
    off += p.length;
  });
  return out;
}

/** Splits one packet into its OBU elements (§4.3); undefined when malformed. */
export function parseAv1Packet(p: Buffer): { z: boolean; y: boolean; n: boolean; elements: Buffer[] } | undefined {
  if (p.length < 2) return undefined;
  const h = p[0]!;
  const w = (h >> 4) & 0x03;
  const elements: Buffer[] = [];
  let off = 1;
  while (off < p.length) {
    if (w !== 0 && elements.length === w - 1) {
      elements.push(p.subarray(off));
      off = p.length;
      break;
    }
    const len = readLeb128(p, off);
    if (!len || len.value === 0 || off + len.length + len.value > p.length) return undefined;
    off += len.length;
    elements.push(p.subarray(off, off + len.value));
    off += len.value;
  }
  if (elements.length === 0 || (w !== 0 && elements.length !== w)) return undefined;
  return { z: (h & Z) !== 0, y: (h & Y) !== 0, n: (h & N) !== 0, elements };
}

export interface Av1DepayloaderOptions {
  /** Start each temporal unit with a temporal delimiter OBU, as §7.5 of AV1 requires of a bitstream (default true). */
  temporalDelimiter?: boolean;
}

const TEMPORAL_DELIMITER = Buffer.from([0x12, 0x00]);

/** AV1 RTP depayloader: rebuilds a low-overhead temporal unit (OBUs with size fields). */
export class Av1Depayloader implements Depayloader {
  readonly codec = 'av1';
  readonly packetIsFrame = false;
  readonly independentFrames = false;
  readonly counters = new Counters<DepayloadDropReason>();
  private readonly temporalDelimiter: boolean;

  constructor(options: Av1DepayloaderOptions = {}) {
    this.temporalDelimiter = options.temporalDelimiter ?? true;
  }

  inspect(payload: Buffer): PacketInfo | undefined {
    const p = parseAv1Packet(payload);
    if (!p) {
      this.counters.inc('malformedPacket');
      return undefined;
    }
    return { frameStart: !p.z, keyframe: p.n };
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length === 0) return this.bad('emptyFrame');
    const out: Buffer[] = this.temporalDelimiter ? [TEMPORAL_DELIMITER] : [];
    let pending: Buffer[] | undefined;
    let keyframe = false;
    for (let i = 0; i < packets.length; i++) {
      const p = parseAv1Packet(packets[i]!.payload);
      if (!p) return this.bad('malformedPacket');
      if (i === 0) keyframe = p.n;
      for (let e = 0; e < p.elements.length; e++) {
        const el = p.elements[e]!;
        if (e === 0 && p.z) {
          if (!pending) return this.bad('malformedFrame'); // continuation of nothing
          pending.push(el);
        } else {
          if (pending) return this.bad('malformedFrame'); // previous fragment never finished
          pending = [el];
        }
        if (e === p.elements.length - 1 && p.y) continue;
        const obu = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = undefined;
        if (!appendObu(obu, out)) return this.bad('malformedFrame');
      }
    }
    if (pending) return this.bad('malformedFrame');
    return { data: Buffer.concat(out), timestamp: packets[0]!.timestamp, keyframe };
  }

  private bad(reason: DepayloadDropReason): undefined {
    this.counters.inc(reason);
    return undefined;
  }
}

/** Writes one OBU element with obu_has_size_field=1 (§5.2 low-overhead format); false when malformed. */
function appendObu(el: Buffer, out: Buffer[]): boolean {
  const parsed = readAv1Obu(el, 0, el.length);
  if (!parsed) return false;
  const { obu } = parsed;
  if (obu.type === Av1ObuType.TemporalDelimiter || obu.type === Av1ObuType.TileList) return true;
  const hl = obu.header.length;
  const buf = Buffer.allocUnsafe(hl + leb128Size(obu.payload.length) + obu.payload.length);
  obu.header.copy(buf);
  buf[0] = buf[0]! | 0x02;
  const off = writeLeb128(buf, hl, obu.payload.length);
  obu.payload.copy(buf, off);
  out.push(buf);
  return true;
}
