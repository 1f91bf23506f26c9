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
import type { PeerCore } from './core.js';

export class RtpSession {
  readonly interceptors: DefaultInterceptors;
  readonly chain: InterceptorChain;
  readonly #local = new Map<number, string>();
  readonly #remote = new Map<number, string>();
  droppedRtcp = 0;

  constructor(core: PeerCore, cname: string) {
    this.interceptors = createDefaultInterceptors({ reports: { cname } });
    this.chain = new InterceptorChain(this.interceptors.list, core.clock, {
      sendRtp: (p) => core.sendRtp(p.serialize()),
      sendRtcp: (pkts) => core.sendRtcp(serializeRtcp(pkts)),
    });
  }

  /** Binds (or re-binds when the negotiated parameters changed) a stream we send. */
  bindLocal(info: StreamInfo): void {
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
