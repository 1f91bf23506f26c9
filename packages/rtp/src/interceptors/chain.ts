import type { Clock } from '@rivulet/common';
import { reportError } from '@rivulet/common';
import type { RtcpPacket } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';
import type { Interceptor, InterceptorContext, InterceptorTransport, StreamInfo } from './interceptor.js';

/**
 * Folds interceptors into one pipeline. Outgoing packets run through the interceptors in array
 * order and then to the transport; incoming packets run in the same order and come back to the
 * caller. A packet an interceptor emits (a NACK, a retransmission, a report) runs through the
 * interceptors after it, so e.g. a TWCC stamper placed after the NACK responder stamps resends.
 */
export class InterceptorChain {
  private readonly list: Interceptor[];
  private closed = false;
  /** Exceptions thrown by interceptor hooks (each reported, the packet passed on unchanged). */
  errors = 0;

  constructor(
    interceptors: readonly Interceptor[],
    private readonly clock: Clock,
    private readonly transport: InterceptorTransport,
  ) {
    this.list = [...interceptors];
    this.list.forEach((it, i) => {
      const ctx: InterceptorContext = {
        clock,
        sendRtp: (p) => this.runOutgoingRtp(p, i + 1),
        sendRtcp: (p) => this.runOutgoingRtcp(p, i + 1),
      };
      it.attach?.(ctx);
    });
  }

  bindLocalStream(stream: StreamInfo): void {
    for (const it of this.list) it.bindLocalStream?.(stream);
  }
  unbindLocalStream(ssrc: number): void {
    for (const it of this.list) it.unbindLocalStream?.(ssrc);
  }
  bindRemoteStream(stream: StreamInfo): void {
    for (const it of this.list) it.bindRemoteStream?.(stream);
  }
  unbindRemoteStream(ssrc: number): void {
    for (const it of this.list) it.unbindRemoteStream?.(ssrc);
  }

  /** Send RTP from the application through every interceptor. */
  writeRtp(packet: RtpPacket): void {
    this.runOutgoingRtp(packet, 0);
  }

  /** Send RTCP from the application through every interceptor. */
  writeRtcp(packets: RtcpPacket[]): void {
    this.runOutgoingRtcp(packets, 0);
  }

  /** Received RTP (already SRTP-unprotected and parsed); returns what the application should see. */
  readRtp(packet: RtpPacket): RtpPacket | undefined {
    if (this.closed) return undefined;
    const now = this.clock.now();
    let p: RtpPacket | undefined = packet;
    for (let i = 0; i < this.list.length && p !== undefined; i++) {
      const it = this.list[i]!;
      if (it.incomingRtp === undefined) continue;
      try {
        p = it.incomingRtp(p, now);
      } catch (err) {
        this.report(err, 'incomingRtp');
      }
    }
    return p;
  }

  /** Received RTCP; returns the packets the application should see. */
  readRtcp(packets: RtcpPacket[]): RtcpPacket[] {
    if (this.closed) return [];
    const now = this.clock.now();
    let ps = packets;
    for (let i = 0; i < this.list.length && ps.length > 0; i++) {
      const it = this.list[i]!;
      if (it.incomingRtcp === undefined) continue;
      try {
        ps = it.incomingRtcp(ps, now);
      } catch (err) {
        this.report(err, 'incomingRtcp');
      }
    }
    return ps;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const it of this.list) it.close?.();
  }

  private runOutgoingRtp(packet: RtpPacket, from: number): void {
    if (this.closed) return;
    const now = this.clock.now();
    let p: RtpPacket | undefined = packet;
    for (let i = from; i < this.list.length && p !== undefined; i++) {
      const it = this.list[i]!;
      if (it.outgoingRtp === undefined) continue;
      try {
        p = it.outgoingRtp(p, now);
      } catch (err) {
        this.report(err, 'outgoingRtp');
      }
    }
    if (p !== undefined) this.transport.sendRtp(p);
  }

  private runOutgoingRtcp(packets: RtcpPacket[], from: number): void {
    if (this.closed) return;
    const now = this.clock.now();
    let ps = packets;
    for (let i = from; i < this.list.length && ps.length > 0; i++) {
      const it = this.list[i]!;
      if (it.outgoingRtcp === undefined) continue;
      try {
        ps = it.outgoingRtcp(ps, now);
      } catch (err) {
        this.report(err, 'outgoingRtcp');
      }
    }
    if (ps.length > 0) this.transport.sendRtcp(ps);
  }

  /** An interceptor bug must not take the media path down: report it and pass the input on. */
  private report(err: unknown, hook: string): void {
    this.errors++;
    reportError(err, `rtp:interceptors ${hook}`);
  }
}
