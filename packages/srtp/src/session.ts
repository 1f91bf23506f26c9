import { createSrtpCipher } from './ciphers.js';
import { deriveSessionKeys } from './kdf.js';
import { profileParams, type SrtpProfile } from './profiles.js';
import { SrtcpContext } from './srtcpContext.js';
import { SrtpContext } from './srtpContext.js';
import { SrtpStats } from './stats.js';

export interface SrtpSessionOptions {
  profile: SrtpProfile;
  /** Master key and salt we protect with (for DTLS-SRTP: splitDtlsSrtpKeyingMaterial's local half). */
  localKey: Buffer;
  localSalt: Buffer;
  /** Master key and salt the peer protects with. */
  remoteKey: Buffer;
  remoteSalt: Buffer;
  /** Inbound replay window in packets, a multiple of 32 in [32, 32768]. Default 128. */
  replayWindow?: number;
}

/**
 * Both directions of SRTP and SRTCP for one DTLS-SRTP association (or one SDES key pair):
 * session keys derived with kdr = 0 (RFC 3711 §4.3), per-SSRC state inside the contexts.
 */
export class SrtpSession {
  readonly profile: SrtpProfile;
  readonly stats = new SrtpStats();
  /** Lower-level contexts, for callers that want per-direction access (e.g. an SFU). */
  readonly outboundRtp: SrtpContext;
  readonly inboundRtp: SrtpContext;
  readonly outboundRtcp: SrtcpContext;
  readonly inboundRtcp: SrtcpContext;

  constructor(options: SrtpSessionOptions) {
    const { profile, localKey, localSalt, remoteKey, remoteSalt, replayWindow } = options;
    profileParams(profile); // throws a clear error for an unknown profile
    for (const [name, v] of [['localKey', localKey], ['localSalt', localSalt], ['remoteKey', remoteKey], ['remoteSalt', remoteSalt]] as const) {
      if (!Buffer.isBuffer(v)) throw new Error(`SrtpSession: ${name} must be a Buffer, got ${typeof v}`);
    }
    this.profile = profile;
    const local = createSrtpCipher(profile, deriveSessionKeys(profile, localKey, localSalt));
    const remote = createSrtpCipher(profile, deriveSessionKeys(profile, remoteKey, remoteSalt));
    const stats = this.stats;
    this.outboundRtp = new SrtpContext({ cipher: local, stats, replayWindow });
    this.inboundRtp = new SrtpContext({ cipher: remote, stats, replayWindow });
    this.outboundRtcp = new SrtcpContext({ cipher: local, stats, replayWindow });
    this.inboundRtcp = new SrtcpContext({ cipher: remote, stats, replayWindow });
  }

  /** RTP → SRTP. Throws only for a packet that is not RTP (a bug in the caller). */
  protectRtp(packet: Buffer): Buffer {
    return this.outboundRtp.protect(packet);
  }

  /** SRTP → RTP; undefined when truncated, malformed, replayed or not authentic (see stats.dropped). */
  unprotectRtp(packet: Buffer): Buffer | undefined {
    return this.inboundRtp.unprotect(packet);
  }

  /** Compound RTCP → SRTCP (encrypted, E = 1). */
  protectRtcp(packet: Buffer): Buffer {
    return this.outboundRtcp.protect(packet);
  }

  /** SRTCP → RTCP; undefined when dropped (see stats.dropped). */
  unprotectRtcp(packet: Buffer): Buffer | undefined {
    return this.inboundRtcp.unprotect(packet);
  }
}
