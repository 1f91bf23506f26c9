/** RFC 6347 §4.2.2: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3). */
export const HANDSHAKE_HEADER_LENGTH = 12;

export interface HandshakeFragment {
  msgType: number;
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  body: Buffer;
}

/** A complete, reassembled handshake message. */
export interface HandshakeMessage {
  msgType: number;
  messageSeq: number;
  body: Buffer;
  /** Epoch of the record that completed it (Finished must arrive under the new keys). */
  epoch: number;
}

/** Parses every fragment in one handshake record; returns undefined if any is malformed. */
export function parseHandshakeFragments(data: Buffer): HandshakeFragment[] | undefined {
  const out: HandshakeFragment[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < HANDSHAKE_HEADER_LENGTH) return undefined;
    const msgType = data[offset]!;
    const length = data.readUIntBE(offset + 1, 3);
    const messageSeq = data.readUInt16BE(offset + 4);
    const fragmentOffset = data.readUIntBE(offset + 6, 3);
    const fragmentLength = data.readUIntBE(offset + 9, 3);
    const start = offset + HANDSHAKE_HEADER_LENGTH;
    if (start + fragmentLength > data.length) return undefined;
    if (fragmentOffset + fragmentLength > length) return undefined;
    out.push({ msgType, length, messageSeq, fragmentOffset, body: data.subarray(start, start + fragmentLength) });
    offset = start + fragmentLength;
  }
  return out;
}

export function writeHandshakeHeader(
  msgType: number,
  length: number,
  messageSeq: number,
  fragmentOffset: number,
  fragmentLength: number,
): Buffer {
  const h = Buffer.alloc(HANDSHAKE_HEADER_LENGTH);
  h[0] = msgType;
  h.writeUIntBE(length, 1, 3);
  h.writeUInt16BE(messageSeq, 4);
  h.writeUIntBE(fragmentOffset, 6, 3);
  h.writeUIntBE(fragmentLength, 9, 3);
  return h;
}

/** RFC 6347 §4.2.6: the transcript holds each message as if sent in one fragment. */
export function transcriptBytes(msgType: number, messageSeq: number, body: Uint8Array): Buffer {
  return Buffer.concat([writeHandshakeHeader(msgType, body.length, messageSeq, 0, body.length), body]);
}

/**
 * Splits one handshake message into fragments whose body fits `maxFragmentBody` bytes
 * (RFC 6347 §4.2.3), each returned with its 12-byte header.
 */
export function fragmentMessage(msgType: number, messageSeq: number, body: Buffer, maxFragmentBody: number): Buffer[] {
  const size = Math.max(1, maxFragmentBody);
  const out: Buffer[] = [];
  let offset = 0;
  do {
    const len = Math.min(size, body.length - offset);
    out.push(Buffer.concat([writeHandshakeHeader(msgType, body.length, messageSeq, offset, len), body.subarray(offset, offset + len)]));
    offset += len;
  } while (offset < body.length);
  return out;
}

/** Largest handshake message we buffer; certificates chains beyond this are refused. */
export const MAX_HANDSHAKE_MESSAGE = 64 * 1024;
/** How far ahead of the next expected message_seq we buffer fragments. */
const MAX_SEQ_AHEAD = 16;

interface Partial {
  msgType: number;
  body: Buffer;
  have: Uint8Array;
  missing: number;
  epoch: number;
}

export type FragmentVerdict = 'buffered' | 'old' | 'tooFarAhead' | 'inconsistent';

/**
 * Reassembles fragments (RFC 6347 §4.2.3) and releases complete messages strictly in message_seq
 * order, so the handshake logic never sees a gap or a duplicate.
 */
export class HandshakeReassembler {
  nextSeq = 0;
  private readonly partial = new Map<number, Partial>();

  add(fragment: HandshakeFragment, epoch: number): FragmentVerdict {
    const seq = fragment.messageSeq;
    if (seq < this.nextSeq) return 'old';
    if (seq >= this.nextSeq + MAX_SEQ_AHEAD) return 'tooFarAhead';
    if (fragment.length > MAX_HANDSHAKE_MESSAGE) return 'inconsistent';
    let p = this.partial.get(seq);
    if (!p) {
      p = {
        msgType: fragment.msgType,
        body: Buffer.alloc(fragment.length),
        have: new Uint8Array(fragment.length),
        missing: fragment.length,
        epoch,
      };
      this.partial.set(seq, p);
    } else if (p.msgType !== fragment.msgType || p.body.length !== fragment.length) {
      return 'inconsistent';
    }
    const start = fragment.fragmentOffset;
    fragment.body.copy(p.body, start);
    for (let i = 0; i < fragment.body.length; i++) {
      if (p.have[start + i] === 0) {
        p.have[start + i] = 1;
        p.missing--;
      }
    }
    p.epoch = Math.max(p.epoch, epoch);
    return 'buffered';
  }

  /** The next complete in-order message, if any. */
  next(): HandshakeMessage | undefined {
    const p = this.partial.get(this.nextSeq);
    if (!p || p.missing > 0) return undefined;
    this.partial.delete(this.nextSeq);
    const message = { msgType: p.msgType, messageSeq: this.nextSeq, body: p.body, epoch: p.epoch };
    this.nextSeq++;
    return message;
  }

  /** Restarts at `seq`, dropping everything buffered (used when a stateless server resumes a handshake). */
  reset(seq: number): void {
    this.partial.clear();
    this.nextSeq = seq;
  }
}
