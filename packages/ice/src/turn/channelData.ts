/**
 * TURN ChannelData messages (RFC 8656 §12.4) and the framing of a TURN
 * byte stream over TCP (RFC 8656 §12.5): over a stream, STUN messages and
 * ChannelData messages follow each other, and ChannelData is padded to a
 * multiple of 4 bytes so the next message starts aligned.
 */

/** RFC 8656 §12: channel numbers a client may bind. */
export const MIN_CHANNEL = 0x4000;
export const MAX_CHANNEL = 0x4fff;
export const CHANNEL_DATA_HEADER = 4;

/** RFC 7983 / RFC 8656 §12.4: the first byte of ChannelData is 0x40..0x4f (01 as the top bits, channel < 0x5000). */
export function isChannelData(buf: Uint8Array): boolean {
  return buf.length >= CHANNEL_DATA_HEADER && buf[0]! >= 0x40 && buf[0]! <= 0x4f;
}

/** Builds a ChannelData message; `pad` adds the §12.5 stream padding. */
export function encodeChannelData(channel: number, data: Uint8Array, pad: boolean): Buffer {
  if (!Number.isInteger(channel) || channel < MIN_CHANNEL || channel > MAX_CHANNEL) {
    throw new RangeError(`TURN channel number must be 0x4000..0x4fff, got ${channel}`);
  }
  if (data.length > 0xffff) throw new RangeError(`ChannelData payload too long: ${data.length} bytes (max 65535)`);
  const total = CHANNEL_DATA_HEADER + data.length;
  const size = pad ? (total + 3) & ~3 : total;
  // allocUnsafe: every byte is written below (header, payload, zero padding).
  const out = Buffer.allocUnsafe(size);
  out[0] = channel >>> 8;
  out[1] = channel & 0xff;
  out[2] = data.length >>> 8;
  out[3] = data.length & 0xff;
  out.set(data, CHANNEL_DATA_HEADER);
  if (size > total) out.fill(0, total);
  return out;
}

export interface ChannelData {
  channel: number;
  /** A view into the received buffer. */
  data: Buffer;
}

/**
 * Parses one ChannelData datagram. Returns undefined when malformed (the
 * caller counts it). Over UDP the datagram may carry padding beyond the
 * length field (RFC 8656 §12.5 allows it), which is ignored.
 */
export function parseChannelData(buf: Buffer): ChannelData | undefined {
  if (!isChannelData(buf)) return undefined;
  const channel = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if (CHANNEL_DATA_HEADER + length > buf.length) return undefined;
  return { channel, data: buf.subarray(CHANNEL_DATA_HEADER, CHANNEL_DATA_HEADER + length) };
}

/** Upper bound on buffered, not yet complete, stream bytes: one maximal STUN message or ChannelData plus a header. */
const MAX_BUFFERED = 0xffff + 24;

/**
 * Splits a TURN-over-TCP byte stream into messages. Each complete message
 * is handed to `onMessage` (STUN with its exact length, ChannelData with
 * its padding stripped). A stream that starts a message with top bits 10
 * or 11 cannot be resynchronised: `feed` returns false and the caller
 * closes the connection.
 */
export class TurnStreamFramer {
  private buffered: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  /** Returns false once the stream is unframeable. */
  feed(chunk: Buffer): boolean {
    if (this.broken) return false;
    let buf = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (buf.length < 4) break;
      const top = buf[0]! >> 6;
      let needed: number;
      let messageLength: number;
      if (top === 0) {
        // RFC 8489 §5: STUN header (20 bytes) + length field.
        messageLength = 20 + buf.readUInt16BE(2);
        needed = messageLength;
      } else if (top === 1) {
        messageLength = CHANNEL_DATA_HEADER + buf.readUInt16BE(2);
        needed = (messageLength + 3) & ~3;
      } else {
        this.broken = true;
        this.buffered = Buffer.alloc(0);
        return false;
      }
      if (buf.length < needed) break;
      // Copy out: the handler may keep the message beyond this chunk.
      const message = Buffer.from(buf.subarray(0, messageLength));
      buf = buf.subarray(needed);
      this.onMessage(message);
    }
    if (buf.length > MAX_BUFFERED) {
      this.broken = true;
      this.buffered = Buffer.alloc(0);
      return false;
    }
    this.buffered = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return true;
  }
}
