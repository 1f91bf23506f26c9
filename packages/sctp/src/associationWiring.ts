import { createLogger } from '@rivulet/common';
import { protocolViolationCause } from './chunks/error.js';
import { ChunkType } from './chunks/types.js';
import type { SctpAssociation } from './association.js';
import { CONNECTED } from './connectedStates.js';
import type { CookieContents } from './cookie.js';
import { Handshake } from './handshake.js';
import { serializePacket } from './packet.js';
import { PathMtu } from './pmtu/pathMtu.js';
import { probeChunks } from './pmtu/probe.js';
import { PeerSession } from './session.js';
import { GracefulShutdown } from './shutdown.js';

const log = createLogger('sctp');

/*
 * How SctpAssociation connects its parts: the callbacks it gives the handshake, the graceful
 * shutdown, PLPMTUD (RFC 8899) and each new PeerSession, and what those callbacks do. Whole
 * methods moved here from association.ts as functions of the association (the members they
 * use are @internal). Nothing here runs per DATA packet.
 */

/** RFC 8899 PLPMTUD (src/pmtu/) with the association's probe, resize and control hooks. */
export function createPathMtu(a: SctpAssociation): PathMtu {
  return new PathMtu(a.clock, a.o.mtu, a.o.plpmtud, a.o.random, {
    sendProbe: (size, info) => sendProbe(a, size, info),
    changed: (mtu) => setPacketSize(a, mtu),
    rtoMs: () => a.session?.sender.rto.rto ?? a.o.rto.initialMs,
    control: (chunk) => a.control.push(chunk),
    connected: () => a.session !== undefined,
  });
}

/** The four-way handshake (RFC 9260 §5.1) over the association's state, output and session. */
export function createHandshake(a: SctpAssociation): Handshake {
  return new Handshake(a.o, {
    get state() {
      return a._state;
    },
    get connected() {
      return CONNECTED.has(a._state);
    },
    setState: (st) => a.setState(st),
    sendSingle: (vtag, chunk) => a.sendSingle(vtag, chunk),
    control: (chunk, first) => (first ? a.control.unshift(chunk) : a.control.push(chunk)),
    flush: () => a.flush(),
    drop: (reason) => a.drops.inc(reason),
    adopt: (c) => {
      a.session = newSession(a, c);
    },
    establish: () => establish(a),
    fail: (reason, error) => a.end(reason, error),
  });
}

/** Graceful shutdown (RFC 9260 §9.2) over the association's state, session and output. */
export function createShutdown(a: SctpAssociation): GracefulShutdown {
  return new GracefulShutdown(a.clock, {
    get state() {
      return a._state;
    },
    get session() {
      return a.session;
    },
    setState: (st) => a.setState(st),
    control: (chunk) => a.control.push(chunk),
    flush: () => a.flush(),
  });
}

/** The established half for the handshake's negotiated parameters (a new cookie replaces the old session). */
function newSession(a: SctpAssociation, c: CookieContents): PeerSession {
  a.session?.dispose();
  const s = new PeerSession(a.o, c, {
    deliver: (streamId, ppid, data) => a.emit('message', streamId, ppid, data),
    incomingReset: (ids) => a.emit('incomingStreamsReset', ids),
    outgoingReset: (ids, result) => {
      if (result > 1) a.emit('error', new Error(`SCTP peer refused to reset streams ${ids.join(',')} (result ${result})`));
      a.emit('outgoingStreamsReset', ids);
    },
    drop: (reason) => a.drops.inc(reason),
    control: (chunk) => a.control.push(chunk),
    flush: () => a.flush(),
    pathFailure: (why) => pathFailure(a, why),
    abort: (cause, why) => {
      a.sendSingle(a.handshake.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [cause] });
      a.end(why, new Error(`SCTP association aborted: ${why}`));
    },
    onIdle: () => a.shutdown.proceed(),
  });
  s.sender.onTimeout = () => a.pmtu.onDataTimeout();
  return s;
}

function establish(a: SctpAssociation): void {
  a.handshake.stop();
  a.setState('established');
  a.session!.startHeartbeats();
  a.pmtu.start();
  a.emit('established');
}

function pathFailure(a: SctpAssociation, why: string): void {
  const reason = `peer unreachable: ${why} (Association.Max.Retrans ${a.o.maxRetransmits} exceeded)`;
  if (a.handshake.peerTag !== 0) {
    a.sendSingle(a.handshake.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [protocolViolationCause(reason)] });
  }
  a.end(reason, new Error(`SCTP ${reason}`));
}

/**
 * RFC 8899 §6.2.1.2: a PLPMTU probe, HEARTBEAT + PAD of exactly `size` bytes, with a real
 * CRC-32c (RFC 9653 §5.2: HEARTBEAT packets keep it). Outside cwnd: probes are not DATA.
 */
function sendProbe(a: SctpAssociation, size: number, info: Buffer): void {
  if (a.ended || !a.session || a.handshake.peerTag === 0) return;
  a.packetsSent++;
  if (size > a.baseMtu) a.packetsOverBase++;
  a.o.send(serializePacket({ sourcePort: a.o.localPort, destinationPort: a.o.remotePort, verificationTag: a.handshake.peerTag }, probeChunks(size, info)));
}

/** PLPMTUD confirmed a new PLPMTU (or fell back): packetize and fragment at it from now on. */
function setPacketSize(a: SctpAssociation, mtu: number): void {
  log.debug('PLPMTU %d -> %d', a.o.mtu, mtu);
  a.o.mtu = mtu;
  a.builder.setMtu(mtu);
  a.session?.sender.setMtu(mtu);
}
