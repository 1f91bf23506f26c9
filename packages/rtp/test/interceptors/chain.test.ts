import { expect } from 'chai';
import { setErrorReporter } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import type { RtpPacket } from '../../src/rtp/index.js';
import type { Interceptor, InterceptorContext } from '../../src/interceptors/interceptor.js';
import { harness, media } from './harness.js';

describe('interceptors: InterceptorChain', () => {
  it('runs outgoing and incoming packets through the interceptors in order', () => {
    const log: string[] = [];
    const tag = (name: string): Interceptor => ({
      outgoingRtp: (p) => (log.push(`${name}:out:${p.sequenceNumber}`), p),
      incomingRtp: (p) => (log.push(`${name}:in:${p.sequenceNumber}`), p),
    });
    const { chain, rtp } = harness([tag('a'), tag('b')]);
    chain.writeRtp(media(1, 5));
    expect(chain.readRtp(media(1, 6))?.sequenceNumber).to.equal(6);
    expect(log).to.deep.equal(['a:out:5', 'b:out:5', 'a:in:6', 'b:in:6']);
    expect(rtp.map((p) => p.sequenceNumber)).to.deep.equal([5]);
  });

  it('a packet an interceptor emits passes only the interceptors after it; undefined stops a packet', () => {
    const seen: string[] = [];
    let ctx: InterceptorContext | undefined;
    const emitter: Interceptor = {
      attach: (c) => (ctx = c),
      outgoingRtp: (p) => (seen.push(`emitter:${p.sequenceNumber}`), p.sequenceNumber === 13 ? undefined : p),
    };
    const after: Interceptor = { outgoingRtp: (p) => (seen.push(`after:${p.sequenceNumber}`), p) };
    const { chain, rtp, rtcp } = harness([emitter, after]);
    ctx!.sendRtp(media(1, 99));
    ctx!.sendRtcp([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]);
    chain.writeRtp(media(1, 13));
    expect(seen).to.deep.equal(['after:99', 'emitter:13']);
    expect(rtp.map((p) => p.sequenceNumber)).to.deep.equal([99]);
    expect(rtcp).to.deep.equal([[{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]]);
  });

  it('contains a throwing interceptor: reports it, passes the packet on, counts it', () => {
    const reported: string[] = [];
    setErrorReporter((_e, context) => reported.push(context));
    try {
      const bad: Interceptor = {
        incomingRtp: () => {
          throw new Error('boom');
        },
        incomingRtcp: (_p: RtcpPacket[]) => {
          throw new Error('boom');
        },
      };
      const { chain } = harness([bad]);
      const p: RtpPacket | undefined = chain.readRtp(media(1, 1));
      expect(p?.sequenceNumber).to.equal(1);
      expect(chain.readRtcp([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]).length).to.equal(1);
      expect(chain.errors).to.equal(2);
      expect(reported).to.deep.equal(['rtp:interceptors incomingRtp', 'rtp:interceptors incomingRtcp']);
    } finally {
      setErrorReporter((e, c) => console.error(`[rivulet] exception in ${c}:`, e));
    }
  });
});
