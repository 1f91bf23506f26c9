/**
 * The RTP/RTCP session of one peer connection: an @rivulet/rtp interceptor
 * chain (NACK generation and RTX answers, SR/RR, TWCC, keyframe requests,
 * bandwidth estimate, per-stream stats) between the senders/receivers and
 * the transport. Outgoing RTP passes the chain, then SRTP; incoming RTP and
 * RTCP pass it before the receivers see them.
 */
import {
  createDefaultInterceptors, InterceptorChain, serializeRtcp, tryParseRtcp, type DefaultInterceptors, type RtcpPacket,
  type RtpPacket, type StreamInfo,
} from '@rivulet/rtp';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { PeerCore } from './core.js';

export const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
export const REPAIRED_RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';

/** Extension ids of a simulcast stream we send: RtpStreamId, and RepairedRtpStreamId if negotiated. */
interface RidIds {
  rid: number;
  repaired: number | undefined;
  value: Buffer;
}

export class RtpSession {
  readonly interceptors: DefaultInterceptors;
  readonly chain: InterceptorChain;
  readonly #local = new Map<number, string>();
  readonly #remote = new Map<number, string>();
  readonly #core: PeerCore;
  /** Media SSRC we send → its rid extension ids (null: no rid on that stream); cleared on rebinding. */
  readonly #ridIds = new Map<number, RidIds | null>();
  droppedRtcp = 0;

  constructor(core: PeerCore, cname: string) {
    this.#core = core;
    this.interceptors = createDefaultInterceptors({
      reports: { cname },
      nackResponder: { rewriteRtx: (rtx, original) => this.#rewriteRtx(rtx, original) },
    });
    this.chain = new InterceptorChain(this.interceptors.list, core.clock, {
      sendRtp: (p) => core.sendRtp(p.serialize()),
      sendRtcp: (pkts) => core.sendRtcp(serializeRtcp(pkts)),
    });
  }

  /** Binds (or re-binds when the negotiated parameters changed) a stream we send. */
  bindLocal(info: StreamInfo): void {
    this.#ridIds.clear(); // a renegotiation may have changed the extension ids
    const key = JSON.stringify(info);
    if (this.#local.get(info.ssrc) === key) return;
    if (this.#local.has(info.ssrc)) this.chain.unbindLocalStream(info.ssrc);
    this.chain.bindLocalStream(info);
    this.#local.set(info.ssrc, key);
  }

  unbindLocal(ssrc: number): void {
    if (!this.#local.delete(ssrc)) return;
    this.chain.unbindLocalStream(ssrc);
  }

  isRemoteBound(ssrc: number): boolean {
    return this.#remote.has(ssrc);
  }

  bindRemote(info: StreamInfo): void {
    const key = JSON.stringify(info);
    if (this.#remote.get(info.ssrc) === key) return;
    if (this.#remote.has(info.ssrc)) this.chain.unbindRemoteStream(info.ssrc);
    this.chain.bindRemoteStream(info);
    this.#remote.set(info.ssrc, key);
  }

  /**
   * Binds an RTX SSRC learned from the packets (RFC 8852 §3 RepairedRtpStreamId) to a bound
   * media stream, keeping its NACK state; `apt` maps RTX payload types to the originals
   * (RFC 4588 §8.6). False when the media stream is not bound or did not negotiate 'nack'.
   */
  bindRemoteRtx(mediaSsrc: number, rtxSsrc: number, apt: ReadonlyMap<number, number>): boolean {
    if (!this.#remote.has(mediaSsrc)) return false;
    return this.interceptors.nackGenerator.bindRtx(mediaSsrc, rtxSsrc, apt);
  }

  /** True when RTX on `ssrc` is unwrapped into a media stream. */
  isRemoteRtx(ssrc: number): boolean {
    return this.interceptors.nackGenerator.mediaSsrcOfRtx(ssrc) !== undefined;
  }

  /**
   * RFC 8852 §3: a retransmission of a simulcast layer identifies the layer
   * it repairs with RepairedRtpStreamId, not RtpStreamId — our RTX SSRCs are not in the SDP, and
   * an RtpStreamId on them would name the RTX stream itself as that layer. The RTX clone came
   * with the original's extensions: the RtpStreamId is removed and the layer's rid is sent as
   * RepairedRtpStreamId when that extension was negotiated.
   */
  #rewriteRtx(rtx: RtpPacket, original: RtpPacket): void {
    let ids = this.#ridIds.get(original.ssrc);
    if (ids === undefined) {
      ids = null;
      for (const t of this.#core.st.transceivers) {
        const ss = senderInternals.state(t.sender);
        const stream = ss.streams.find((x) => x.ssrc === original.ssrc);
        if (!stream || stream.rid === undefined || !ss.negotiated || ss.negotiated.rids.length === 0) continue;
        const rid = ss.negotiated.headerExtensions.find((h) => h.uri === RID_URI)?.id;
        if (rid !== undefined) {
          ids = { rid, repaired: ss.negotiated.headerExtensions.find((h) => h.uri === REPAIRED_RID_URI)?.id, value: Buffer.from(stream.rid, 'ascii') };
        }
        break;
      }
      this.#ridIds.set(original.ssrc, ids);
    }
    if (ids === null) return;
    rtx.removeExtension(ids.rid);
    if (ids.repaired !== undefined) rtx.setExtension(ids.repaired, ids.value);
  }

  writeRtp(p: RtpPacket): void {
    this.chain.writeRtp(p);
  }

  /** Incoming RTP after NACK bookkeeping, RTX unwrapping (RFC 4588), TWCC and statistics. */
  readRtp(p: RtpPacket): RtpPacket | undefined {
    return this.chain.readRtp(p);
  }

  /** Incoming SRTCP plaintext → what the application layer should act on (PLI/FIR about our streams…). */
  readRtcp(raw: Uint8Array): RtcpPacket[] {
    const pkts = tryParseRtcp(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    if (!pkts) {
      this.droppedRtcp++;
      return [];
    }
    return this.chain.readRtcp(pkts);
  }

  /** Sends a PLI/FIR for a remote stream (rate-limited by the chain). */
  requestKeyframe(ssrc: number): boolean {
    if (!this.#remote.has(ssrc)) return false;
    return this.interceptors.keyframes.requestKeyframe(ssrc);
  }

  close(): void {
    this.chain.close();
  }
}
