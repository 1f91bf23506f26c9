import type { Clock } from '@rivulet/common';
import type { Chunk } from '../chunks/types.js';
import type { ResolvedOptions } from '../options.js';
import { announcementChunk, decodeAnnouncement } from './announce.js';
import { Plpmtud, type PlpmtudStats } from './plpmtud.js';

export interface PathMtuHooks {
  /** Send a probe packet of exactly `size` bytes with this Heartbeat Info (pmtu/probe.ts). */
  sendProbe(size: number, info: Buffer): void;
  /** The PLPMTU changed: packetize at this size. */
  changed(plpmtu: number): void;
  rtoMs(): number;
  /** Queue a control chunk for the next packet (our EMTU_R announcement). */
  control(chunk: Chunk): void;
  /** Whether a session exists to answer in. */
  connected(): boolean;
}

/**
 * The association's side of RFC 8899 PLPMTUD: owns the Plpmtud state machine and MAX_PLPMTU —
 * the cap the lower layer set, lifted up to the path's own cap once the peer announces a larger
 * EMTU_R (pmtu/announce.ts) — and answers a peer's probes with our announcement. The association
 * only forwards events here (HEARTBEAT, HEARTBEAT ACK, PAD, T3 expiry, establish, end).
 */
export class PathMtu {
  private readonly discovery: Plpmtud | undefined;
  private max: number;
  private pathMax: number;
  private peerMaxPacket: number | undefined;
  /** The packet being dispatched carried a HEARTBEAT (a PAD after it makes it a probe). */
  private heartbeatInPacket = false;

  constructor(
    clock: Clock,
    private readonly base: number,
    private readonly options: ResolvedOptions['plpmtud'],
    random: () => number,
    private readonly hooks: PathMtuHooks,
  ) {
    const o = options;
    this.max = o?.maxPlpmtu ?? base;
    this.pathMax = o?.pathMaxPlpmtu ?? this.max;
    this.discovery = o && new Plpmtud(
      clock,
      { base, max: o.maxPlpmtu, maxProbes: o.maxProbes, probeTimerMs: o.probeTimerMs, raiseTimerMs: o.raiseTimerMs, granularity: 16 },
      { sendProbe: hooks.sendProbe, changed: hooks.changed, rtoMs: hooks.rtoMs, random },
    );
  }

  /** State and counters; undefined when PLPMTUD is off. */
  get stats(): PlpmtudStats | undefined {
    return this.discovery?.stats;
  }

  start(): void {
    this.discovery?.start();
  }

  stop(): void {
    this.discovery?.stop();
  }

  /** MAX_PLPMTU from the lower layer, and the path's cap should the peer announce it takes more. */
  setMax(bytes: number, pathMax = bytes): void {
    if (!Number.isInteger(bytes) || bytes < this.base || bytes > 65535) {
      throw new RangeError(`SctpAssociation.setMaxPlpmtu(): ${bytes} is outside [${this.base}, 65535]`);
    }
    if (!Number.isInteger(pathMax) || pathMax < bytes || pathMax > 65535) {
      throw new RangeError(`SctpAssociation.setMaxPlpmtu(): pathMax ${pathMax} is outside [${bytes}, 65535]`);
    }
    this.max = bytes;
    this.pathMax = pathMax;
    this.apply();
  }

  private apply(): void {
    const peer = this.peerMaxPacket;
    this.discovery?.setMax(peer === undefined ? this.max : Math.max(this.max, Math.min(this.pathMax, peer)));
  }

  /** T3-rtx expired (black-hole indication, RFC 8899 §4.3). */
  onDataTimeout(): void {
    this.discovery?.onDataTimeout();
  }

  beginPacket(): void {
    this.heartbeatInPacket = false;
  }

  onHeartbeat(): void {
    this.heartbeatInPacket = true;
  }

  /** True when the HEARTBEAT ACK answered one of our probes (not an ordinary heartbeat). */
  onHeartbeatAck(info: Buffer): boolean {
    return this.discovery?.onHeartbeatAck(info) ?? false;
  }

  /**
   * A PAD chunk (RFC 4820 §3). Plain padding after a HEARTBEAT is a peer's probe: if configured we
   * bundle our EMTU_R announcement behind the HEARTBEAT ACK. An announcement lifts MAX_PLPMTU.
   */
  onPad(padding: Buffer): void {
    const announced = decodeAnnouncement(padding);
    if (announced !== undefined) {
      if (announced !== this.peerMaxPacket) {
        this.peerMaxPacket = announced;
        this.apply();
      }
      return;
    }
    const mine = this.options?.announceMaxPacket;
    if (mine !== undefined && this.heartbeatInPacket && this.hooks.connected()) this.hooks.control(announcementChunk(mine));
  }
}
