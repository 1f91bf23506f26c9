import { randomBytes } from 'node:crypto';
import { RealClock, realClock, type Clock } from '@rivulet/common';
import type { RtoConfig } from './congestion.js';

export interface SctpAssociationOptions {
  /** Called with every SCTP packet to transmit (hand it to DTLS, RFC 8261). */
  send: (packet: Buffer) => void;
  clock?: Clock;
  /** SCTP ports (SDP a=sctp-port, RFC 8841 §5); WebRTC uses 5000 by default. */
  localPort?: number;
  remotePort?: number;
  /** Largest SCTP packet we build (default 1200: fits DTLS over IPv6 with room to spare). */
  mtu?: number;
  /** RTO.Initial / RTO.Min / RTO.Max in ms (RFC 9260 §16 gives 1000 / 1000 / 60000). */
  rto?: Partial<RtoConfig>;
  /** Max.Init.Retransmits (RFC 9260 §16: 8). */
  maxInitRetransmits?: number;
  /** Association.Max.Retrans (RFC 9260 §16: 10): consecutive timeouts before the peer is declared dead. */
  maxRetransmits?: number;
  /** Our advertised receive window (a_rwnd) in bytes. */
  receiveWindow?: number;
  /** Delayed SACK timeout (RFC 9260 §6.2: at most 500 ms; 200 is the usual choice). */
  sackDelayMs?: number;
  /**
   * During a long in-order run, SACK every this many DATA-carrying packets (default 4, 1..16);
   * otherwise every second one as RFC 9260 §6.2 asks. See sackPolicy.ts for when we stretch.
   */
  sackFrequency?: number;
  /**
   * RFC 9653 zero checksum (default true): announce that we accept SCTP packets whose checksum
   * is zero, and leave the CRC-32c out of our DATA / SACK packets when the peer announced the
   * same. Sound only because WebRTC carries SCTP inside DTLS (RFC 8261), whose AEAD already
   * protects every byte (RFC 9653 §6); set false when running over anything else.
   */
  zeroChecksum?: boolean;
  /**
   * Initial congestion window in packets of `mtu` bytes (default 10, like TCP's IW10, RFC 6928;
   * RFC 9260 §7.2.1 gives min(4*MTU, max(2*MTU, 4380)), about 3 packets at MTU 1200). 2..64.
   */
  initialCwndPackets?: number;
  /** HB.interval (RFC 9260 §16: 30 s); 0 disables heartbeats. */
  heartbeatIntervalMs?: number;
  /** Valid.Cookie.Life (RFC 9260 §16: 60 s). */
  cookieLifetimeMs?: number;
  /** HMAC key for state cookies; random per association when omitted. */
  cookieSecret?: Buffer;
  /** Streams we offer in each direction (max 65535). */
  streams?: number;
  /** Source of 32-bit random numbers for tags and initial TSNs (tests pass a seeded one). */
  random?: () => number;
  /**
   * RFC 8899 PLPMTUD (src/pmtu/): probe with HEARTBEAT + PAD for packets larger than `mtu` (the
   * BASE_PLPMTU) up to `maxPlpmtu`. On by default, but `maxPlpmtu` defaults to `mtu`, so nothing is
   * probed until the lower layer supplies a cap (constructor or setMaxPlpmtu()). false = off.
   */
  plpmtud?: boolean | PlpmtudOptions;
  /**
   * Runs `fn` soon, after the current task: how messages sent in one burst are coalesced into
   * packets before the flush (RFC 9260 §6.10 bundling). Default: with a real clock (none given, or
   * a RealClock) Node's setImmediate; otherwise a zero-delay timer of `clock` (a FakeClock stays
   * deterministic). Node's setTimeout(0) waits at least 1 ms: every batch of a sender refilling on
   * bufferedamountlow left that much late.
   */
  defer?: (fn: () => void) => void;
  /**
   * The `send` callback is done with the packet when it returns (DTLS encrypts it into a record of
   * its own, RFC 8261): the association then builds its packets in one reused buffer instead of
   * allocating one per packet (with PLPMTUD's 16 KiB packets a fresh 16 KiB ArrayBuffer each).
   * Default false: the callback may keep the packet (queue it, hand it to a socket).
   */
  sendConsumesPacket?: boolean;
}

export interface PlpmtudOptions {
  enabled?: boolean;
  /** MAX_PLPMTU in bytes of SCTP packet (default: `mtu`, i.e. no probing up). */
  maxPlpmtu?: number;
  /** MAX_PROBES (RFC 8899 §5.1.2, default 3). */
  maxProbes?: number;
  /** PROBE_TIMER floor in ms (default 1000, the §5.1.1 minimum; the timer is max(this, RTO)). */
  probeTimerMs?: number;
  /** PMTU_RAISE_TIMER in ms (default 600 000, §5.1.1). */
  raiseTimerMs?: number;
  /**
   * MAX_PLPMTU to use instead of `maxPlpmtu` once the peer announces (pmtu/announce.ts) that it
   * accepts larger packets: the path's own cap, without a guess at the peer's limit (default: maxPlpmtu).
   */
  pathMaxPlpmtu?: number;
  /** The largest SCTP packet we accept, told to a probing peer (pmtu/announce.ts); unset = say nothing. */
  announceMaxPacket?: number;
}

export interface ResolvedOptions {
  send: (packet: Buffer) => void;
  clock: Clock;
  localPort: number;
  remotePort: number;
  mtu: number;
  rto: RtoConfig;
  maxInitRetransmits: number;
  maxRetransmits: number;
  receiveWindow: number;
  sackDelayMs: number;
  sackFrequency: number;
  zeroChecksum: boolean;
  initialCwndPackets: number;
  heartbeatIntervalMs: number;
  cookieLifetimeMs: number;
  cookieSecret: Buffer | undefined;
  streams: number;
  random: () => number;
  /** Undefined when PLPMTUD is off. */
  plpmtud:
    | { maxPlpmtu: number; pathMaxPlpmtu: number; maxProbes: number; probeTimerMs: number; raiseTimerMs: number; announceMaxPacket: number | undefined }
    | undefined;
  defer: (fn: () => void) => void;
  sendConsumesPacket: boolean;
}

/**
 * Our defaults. RFC 9260 §16's RTO.Initial of 1 s (and RTO.Min of 1 s) is
 * tuned for the open Internet with unknown paths; data channels run over an
 * ICE-checked path whose RTT is already known to be small, so like the
 * browser stacks we start lower: RTO.Initial 500 ms, RTO.Min 200 ms,
 * RTO.Max 10 s (keeps dead-peer detection near a minute, see docs/sctp.md).
 */
export const DEFAULT_RTO: RtoConfig = { initialMs: 500, minMs: 200, maxMs: 10_000 };

function check(name: string, v: number, min: number, max: number): number {
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`SctpAssociation option ${name} = ${v} is outside [${min}, ${max}]`);
  }
  return v;
}

export function resolveOptions(o: SctpAssociationOptions): ResolvedOptions {
  if (typeof o.send !== 'function') throw new TypeError('SctpAssociation needs a send(packet) callback');
  const rto = { ...DEFAULT_RTO, ...o.rto };
  check('rto.minMs', rto.minMs, 1, 600_000);
  check('rto.maxMs', rto.maxMs, rto.minMs, 600_000);
  check('rto.initialMs', rto.initialMs, rto.minMs, rto.maxMs);
  const clock = o.clock ?? realClock;
  if (o.defer !== undefined && typeof o.defer !== 'function') {
    throw new TypeError(`SctpAssociation option defer must be a function, got ${typeof o.defer}`);
  }
  return {
    send: o.send,
    clock,
    localPort: check('localPort', o.localPort ?? 5000, 1, 65535),
    remotePort: check('remotePort', o.remotePort ?? 5000, 1, 65535),
    mtu: check('mtu', o.mtu ?? 1200, 256, 65535) & ~3, // chunks are 4-byte aligned
    rto,
    maxInitRetransmits: check('maxInitRetransmits', o.maxInitRetransmits ?? 8, 0, 100),
    maxRetransmits: check('maxRetransmits', o.maxRetransmits ?? 10, 0, 100),
    receiveWindow: check('receiveWindow', o.receiveWindow ?? 1024 * 1024, 1500, 0x7fffffff),
    sackDelayMs: check('sackDelayMs', o.sackDelayMs ?? 200, 0, 500),
    sackFrequency: check('sackFrequency', o.sackFrequency ?? 4, 1, 16),
    zeroChecksum: o.zeroChecksum ?? true,
    initialCwndPackets: check('initialCwndPackets', o.initialCwndPackets ?? 10, 2, 64),
    heartbeatIntervalMs: check('heartbeatIntervalMs', o.heartbeatIntervalMs ?? 30_000, 0, 3_600_000),
    cookieLifetimeMs: check('cookieLifetimeMs', o.cookieLifetimeMs ?? 60_000, 1, 3_600_000),
    cookieSecret: o.cookieSecret,
    streams: check('streams', o.streams ?? 65535, 1, 65535),
    random: o.random ?? (() => randomBytes(4).readUInt32BE(0)),
    plpmtud: resolvePlpmtud(o.plpmtud, (o.mtu ?? 1200) & ~3),
    defer: o.defer ?? defaultDefer(clock),
    sendConsumesPacket: o.sendConsumesPacket === true,
  };
}

/** setImmediate on the real clock (no 1 ms floor), a zero-delay timer of any other clock. */
function defaultDefer(clock: Clock): (fn: () => void) => void {
  if (clock instanceof RealClock) return (fn) => void setImmediate(fn);
  return (fn) => void clock.setTimeout(fn, 0);
}

function resolvePlpmtud(p: boolean | PlpmtudOptions | undefined, mtu: number): ResolvedOptions['plpmtud'] {
  const o: PlpmtudOptions = p === undefined || p === true ? {} : p === false ? { enabled: false } : p;
  if (o.enabled === false) return undefined;
  const maxPlpmtu = check('plpmtud.maxPlpmtu', o.maxPlpmtu ?? mtu, mtu, 65535) & ~3;
  return {
    maxPlpmtu,
    pathMaxPlpmtu: check('plpmtud.pathMaxPlpmtu', o.pathMaxPlpmtu ?? maxPlpmtu, maxPlpmtu, 65535) & ~3,
    announceMaxPacket: o.announceMaxPacket === undefined ? undefined : check('plpmtud.announceMaxPacket', o.announceMaxPacket, mtu, 65535),
    maxProbes: check('plpmtud.maxProbes', o.maxProbes ?? 3, 1, 10),
    probeTimerMs: check('plpmtud.probeTimerMs', o.probeTimerMs ?? 1000, 1000, 60_000),
    raiseTimerMs: check('plpmtud.raiseTimerMs', o.raiseTimerMs ?? 600_000, 1000, 86_400_000),
  };
}
