import type { SrtpCipher } from './cipher.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay.js';
import { isRtcpHeaderValid } from './rtpHeader.js';
import { SrtpStats } from './stats.js';

export interface SrtcpContextOptions {
  cipher: SrtpCipher;
  /** Replay window for inbound SRTCP, packets (multiple of 32). Default 128. */
  replayWindow?: number;
  stats?: SrtpStats;
}

/**
 * One direction of SRTCP (RFC 3711 §3.4). The sender keeps a 31-bit SRTCP index per SSRC (the
 * SSRC of the first packet of the compound packet), starting at 0; the receiver a replay window.
 */
export class SrtcpContext {
  readonly stats: SrtpStats;
  private readonly cipher: SrtpCipher;
  private readonly windowSize: number;
  private readonly nextIndex = new Map<number, number>();
  private readonly windows = new Map<number, ReplayWindow>();

  constructor(options: SrtcpContextOptions) {
    this.cipher = options.cipher;
    this.windowSize = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    new ReplayWindow(this.windowSize);
    this.stats = options.stats ?? new SrtpStats();
  }

  /** The index the next protected packet of `ssrc` will carry. */
  srtcpIndex(ssrc: number): number {
    return this.nextIndex.get(ssrc >>> 0) ?? 0;
  }

  /** Force the next SRTCP index of `ssrc` (tests, or continuing a context after a restart). */
  setSrtcpIndex(ssrc: number, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > 0x7fffffff) {
      throw new Error(`SRTCP index must be an integer in [0, 2^31-1], got ${index}`);
    }
    this.nextIndex.set(ssrc >>> 0, index);
  }

  /**
   * Protect an outgoing compound RTCP packet. `encrypt: false` sends it authenticated only (E = 0,
   * RFC 3711 §3.4). Throws when `packet` is not RTCP (caller bug).
   */
  protect(packet: Buffer, encrypt = true): Buffer {
    if (!isRtcpHeaderValid(packet)) {
      throw new Error(`protectRtcp: not an RTCP version 2 packet of at least 8 bytes (got ${packet.length} bytes)`);
    }
    const ssrc = packet.readUInt32BE(4);
    const index = this.nextIndex.get(ssrc) ?? 0;
    // §3.4: the index wraps modulo 2^31; a session that long must have been re-keyed (§9.2).
    this.nextIndex.set(ssrc, (index + 1) & 0x7fffffff);
    const out = this.cipher.protectRtcp(packet, ssrc, index, encrypt);
    this.stats.rtcpProtected++;
    return out;
  }

  /** Verify and decrypt incoming SRTCP; undefined (and a counted reason) when dropped. */
  unprotect(packet: Buffer): Buffer | undefined {
    const stats = this.stats;
    if (packet.length < 8 + this.cipher.rtcpTrailerLength) {
      stats.dropped.inc('rtcpTooShort');
      return undefined;
    }
    if (!isRtcpHeaderValid(packet)) {
      stats.dropped.inc('rtcpMalformed');
      return undefined;
    }
    const word = packet.readUInt32BE(this.cipher.rtcpIndexOffset(packet.length));
    const encrypted = word >>> 31 === 1;
    const index = word & 0x7fffffff;
    const ssrc = packet.readUInt32BE(4);
    const window = this.windows.get(ssrc);
    if (window !== undefined) {
      const verdict = window.check(index);
      if (verdict !== 'new') {
        stats.dropped.inc(verdict === 'duplicate' ? 'rtcpReplayed' : 'rtcpTooOld');
        return undefined;
      }
    }
    const out = this.cipher.unprotectRtcp(packet, ssrc, index, encrypted);
    if (out === undefined) {
      stats.dropped.inc('rtcpAuthFailed');
      return undefined;
    }
    if (window === undefined) {
      const w = new ReplayWindow(this.windowSize);
      w.accept(index);
      this.windows.set(ssrc, w);
    } else {
      window.accept(index);
    }
    stats.rtcpUnprotected++;
    return out;
  }
}
