import { ParseError, createLogger } from '@rivulet/common';
import { describeCauses, unrecognizedChunkCause } from './chunks/error.js';
import { PAD_CHUNK_TYPE } from './chunks/pad.js';
import { CauseCode, ChunkType, type Chunk, type DataChunk, type SackChunk } from './chunks/types.js';
import type { SctpAssociation } from './association.js';
import { CONNECTED } from './connectedStates.js';
import { COMMON_HEADER_LENGTH, parsePacket, verifyChecksum } from './packet.js';

const log = createLogger('sctp');

/*
 * The receive side of SctpAssociation: checksum, ports and verification tag of one packet
 * (RFC 9260 §8.5), then each chunk to the part that handles it. Whole methods moved here from
 * association.ts as functions of the association (its members they use are @internal); the
 * per-packet cost is the same single call handlePacket() made before.
 */

/** One received packet; throws ParseError on malformed input (handlePacket() counts it). */
export function receivePacket(a: SctpAssociation, packet: Buffer): void {
  if (packet.length < COMMON_HEADER_LENGTH + 4) throw new ParseError(`SCTP packet of ${packet.length} bytes`);
  // RFC 9653 §5.3: having announced it, we take a zero checksum (DTLS vouches for the bytes).
  if (!(a.o.zeroChecksum && packet.readUInt32LE(8) === 0) && !verifyChecksum(packet)) {
    a.drops.inc('badChecksum');
    return;
  }
  const p = parsePacket(packet);
  if (p.destinationPort !== a.o.localPort || p.sourcePort !== a.o.remotePort) {
    a.drops.inc('badPort');
    return;
  }
  a.packetsReceived++;
  const first = p.chunks[0]!.chunk;
  // §8.5.1: INIT travels alone with tag 0; ABORT and SHUTDOWN COMPLETE may carry a reflected tag.
  if (first.type === ChunkType.INIT) {
    if (p.chunks.length !== 1 || p.verificationTag !== 0) {
      a.drops.inc('malformed');
      return;
    }
    a.handshake.onInit(first);
    return;
  }
  if (first.type === ChunkType.COOKIE_ECHO) {
    // The tag is checked against the cookie's contents (§5.1.5).
    if (!a.handshake.onCookieEcho(first, p.verificationTag)) return;
  } else if ((first.type === ChunkType.ABORT || first.type === ChunkType.SHUTDOWN_COMPLETE) && first.reflected) {
    if (a.handshake.peerTag === 0 || p.verificationTag !== a.handshake.peerTag) {
      a.drops.inc('badVerificationTag');
      return;
    }
  } else if (a.handshake.localTag === 0 || p.verificationTag !== a.handshake.localTag) {
    a.drops.inc(a.handshake.localTag === 0 ? 'outOfTheBlue' : 'badVerificationTag');
    return;
  }
  a.pmtu.beginPacket();
  for (let i = first.type === ChunkType.COOKIE_ECHO ? 1 : 0; i < p.chunks.length && !a.ended; i++) {
    const { chunk, start, end } = p.chunks[i]!;
    dispatchChunk(a, chunk, packet, start, end);
  }
  if (!a.ended) a.session?.afterPacket();
}

function dispatchChunk(a: SctpAssociation, c: Chunk, packet: Buffer, start: number, end: number): void {
  switch (c.type) {
    case ChunkType.DATA:
      return onData(a, c);
    case ChunkType.SACK:
      return onSack(a, c);
    case ChunkType.INIT_ACK:
      return a.handshake.onInitAck(c);
    case ChunkType.COOKIE_ACK:
      a.handshake.onCookieAck();
      return;
    case ChunkType.HEARTBEAT:
      a.pmtu.onHeartbeat();
      if (a.session) a.control.push({ type: ChunkType.HEARTBEAT_ACK, info: Buffer.from(c.info) });
      return;
    case ChunkType.HEARTBEAT_ACK:
      if (a.pmtu.onHeartbeatAck(c.info)) return;
      a.session?.onHeartbeatAck(c.info);
      return;
    case ChunkType.ABORT: {
      const why = describeCauses(c.causes) || 'no cause given';
      a.end(`peer aborted the association: ${why}`, new Error(`SCTP association aborted by the peer: ${why}`));
      return;
    }
    case ChunkType.SHUTDOWN:
      return a.shutdown.onShutdown(c.cumTsnAck);
    case ChunkType.SHUTDOWN_ACK:
      if (a._state === 'shutdown-sent' || a._state === 'shutdown-ack-sent') {
        a.sendSingle(a.handshake.peerTag, { type: ChunkType.SHUTDOWN_COMPLETE, reflected: false });
        a.end(undefined);
      } else a.drops.inc('unexpectedChunk');
      return;
    case ChunkType.SHUTDOWN_COMPLETE:
      if (a._state === 'shutdown-ack-sent') a.end(undefined);
      else a.drops.inc('unexpectedChunk');
      return;
    case ChunkType.ERROR: {
      const stale = c.causes.find((x) => x.type === CauseCode.STALE_COOKIE && x.value.length >= 4);
      if (stale && a.handshake.onStaleCookie(stale.value.readUInt32BE(0))) return;
      log.warn('peer reported: %s', describeCauses(c.causes));
      return;
    }
    case ChunkType.FORWARD_TSN:
      if (a.session && CONNECTED.has(a._state)) a.session.onForwardTsn(c);
      else a.drops.inc('unexpectedChunk');
      return;
    case ChunkType.RECONFIG:
      if (a.session && CONNECTED.has(a._state)) a.session.reset.handle(c);
      else a.drops.inc('unexpectedChunk');
      return;
    case ChunkType.INIT:
    case ChunkType.COOKIE_ECHO:
      a.drops.inc('malformed'); // only legal first in a packet
      return;
    case 'unknown':
      if (c.code === PAD_CHUNK_TYPE) return a.pmtu.onPad(c.value); // RFC 4820 §3: not an error, go on
      return onUnknown(a, c.code, packet.subarray(start, end));
  }
}

/** §3.2: the two high bits of an unknown chunk type say whether to skip it and whether to report it. */
function onUnknown(a: SctpAssociation, code: number, raw: Buffer): void {
  a.drops.inc('unknownChunk');
  if (code & 0x40) {
    a.control.push({ type: ChunkType.ERROR, causes: [unrecognizedChunkCause(Buffer.from(raw))] });
  }
  if ((code & 0x80) === 0) throw new ParseError(`unknown chunk type ${code} stops packet processing`);
}

function onData(a: SctpAssociation, c: DataChunk): void {
  const s = a.session;
  if (!s || !(a._state === 'established' || a._state === 'shutdown-pending' || a._state === 'shutdown-sent')) {
    a.drops.inc('unexpectedChunk');
    return;
  }
  s.onData(c);
}

function onSack(a: SctpAssociation, c: SackChunk): void {
  const s = a.session;
  if (!s || !CONNECTED.has(a._state)) {
    a.drops.inc('unexpectedChunk');
    return;
  }
  s.onSack(c);
}
