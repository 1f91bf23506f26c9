import { FakeClock } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import type { Interceptor } from '../../src/interceptors/interceptor.js';

/** A chain whose transport records what would go to the network. */
export function harness(interceptors: Interceptor[], clock = new FakeClock()) {
  const rtp: RtpPacket[] = [];
  const rtcp: RtcpPacket[][] = [];
  const chain = new InterceptorChain(interceptors, clock, {
    sendRtp: (p) => rtp.push(p),
    sendRtcp: (p) => rtcp.push(p),
  });
  return { clock, chain, rtp, rtcp };
}

export function media(ssrc: number, seq: number, payloadLength = 100, extra: Partial<ConstructorParameters<typeof RtpPacket>[0]> = {}): RtpPacket {
  const payload = Buffer.alloc(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = (seq + i) & 0xff;
  return new RtpPacket({ ssrc, sequenceNumber: seq & 0xffff, payloadType: 96, timestamp: seq * 3000, payload, ...extra });
}
