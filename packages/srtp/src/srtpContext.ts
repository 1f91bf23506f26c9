import type { SrtpCipher } from './cipher.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay.js';
import { RolloverState } from './rollover.js';
import { rtpHeaderLength } from './rtpHeader.js';
import { SrtpStats } from './stats.js';

interface RtpStreamState {
  readonly rollover: RolloverState;
  /** Created on the first unprotect of the SSRC (outbound-only streams never need one). */
  replay: ReplayWindow | undefined;
}

export interface SrtpContextOptions {
  cipher: SrtpCipher;
  /** Replay window for inbound streams, packets (multiple of 32). Default 128. */
  replayWindow?: number;
  /** Shared with the session's other contexts so one object reports everything. */
  stats?: SrtpStats;
}

/**
 * One direction of SRTP (RFC 3711 §3.2: a cryptographic context per SSRC that shares the master
 * key). Keeps per-SSRC rollover state, and for inbound streams a replay window. An SFU can hold
 * one of these per peer and direction.
 */
export class SrtpContext {
  readonly stats: SrtpStats;
  private readonly cipher: SrtpCipher;
  private readonly windowSize: number;
  private readonly streams = new Map<number, RtpStreamState>();

  constructor(options: SrtpContextOptions) {
    this.cipher = options.cipher;
    this.windowSize = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    new ReplayWindow(this.windowSize); // validate the size now, not on the first packet
    this.stats = options.stats ?? new SrtpStats();
  }

  /**
   * Set the rollover counter of a stream, e.g. for a stream joined mid-way whose ROC was signalled
   * (RFC 4568 / RFC 3711 §3.3.1). Replaces any state for that SSRC.
   */
  setRolloverCounter(ssrc: number, roc: number, seq = 0): void {
    this.streams.set(ssrc >>> 0, { rollover: new RolloverState(roc, seq), replay: new ReplayWindow(this.windowSize) });
  }

  /** ROC of the newest packet of `ssrc`, undefined when the stream is unknown. */
  rolloverCounter(ssrc: number): number | undefined {
    return this.streams.get(ssrc >>> 0)?.rollover.roc;
  }

  /** Protect an outgoing RTP packet. Throws when `packet` is not a valid RTP packet (caller bug). */
  protect(packet: Buffer): Buffer {
    const h = rtpHeaderLength(packet, packet.length);
    if (h < 0) {
      throw new Error(
        h === -1
          ? `protectRtp: not an RTP version 2 packet (first byte 0x${(packet[0] ?? 0).toString(16)})`
          : `protectRtp: RTP header runs past the ${packet.length}-byte packet`,
      );
    }
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let state = this.streams.get(ssrc);
    if (state === undefined) {
      state = { rollover: new RolloverState(), replay: undefined };
      this.streams.set(ssrc, state);
    }
    // The sender estimates too (Appendix A), so a resent older packet keeps its original index
    // and keystream instead of being mistaken for a wrap.
    const index = state.rollover.estimate(seq);
    if (index < 0) {
      throw new Error(
        `protectRtp: sequence ${seq} of SSRC ${ssrc} precedes the stream's first packet (ROC would be -1); refusing to reuse keystream`,
      );
    }
    state.rollover.update(index);
    const out = this.cipher.protectRtp(packet, h, ssrc, Math.floor(index / 65536), seq);
    this.stats.rtpProtected++;
    return out;
  }

  /** Verify and decrypt an incoming SRTP packet; undefined (and a counted reason) when dropped. */
  unprotect(packet: Buffer): Buffer | undefined {
    const stats = this.stats;
    const bodyLength = packet.length - this.cipher.rtpTrailerLength;
    const h = rtpHeaderLength(packet, bodyLength);
    if (h < 0) {
      stats.dropped.inc(h === -1 ? 'rtpMalformed' : 'rtpTooShort');
      return undefined;
    }
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const state = this.streams.get(ssrc);
    let index = seq;
    if (state !== undefined) {
      index = state.rollover.estimate(seq);
      if (index < 0) {
        stats.dropped.inc('rtpTooOld');
        return undefined;
      }
      state.replay ??= new ReplayWindow(this.windowSize);
      const verdict = state.replay.check(index);
      if (verdict !== 'new') {
        stats.dropped.inc(verdict === 'duplicate' ? 'rtpReplayed' : 'rtpTooOld');
        return undefined;
      }
    }
    const out = this.cipher.unprotectRtp(packet, h, ssrc, Math.floor(index / 65536), seq);
    if (out === undefined) {
      stats.dropped.inc('rtpAuthFailed');
      return undefined;
    }
    // State is created and advanced only for authenticated packets (§3.3: "only after
    // authentication"), so forged packets cannot move the window or allocate per-SSRC state.
    if (state === undefined) {
      const s: RtpStreamState = { rollover: new RolloverState(), replay: new ReplayWindow(this.windowSize) };
      s.rollover.update(index);
      s.replay!.accept(index);
      this.streams.set(ssrc, s);
    } else {
      state.rollover.update(index);
      state.replay!.accept(index);
    }
    stats.rtpUnprotected++;
    return out;
  }
}
