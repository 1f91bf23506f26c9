import { expect } from 'chai';
import { FakeClock, nodeNetwork, type Network } from '@rivulet/common';
import { VirtualNetwork, tapNetwork } from '@rivulet/testkit';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';

/**
 * Connection set-up latency (docs/bench/connect-latency.md): how many network trips and which
 * datagrams a new connection needs, so a regression that adds a round trip or a wait fails here.
 */

/** RFC 7983 §7 demultiplexing, then the STUN class or the DTLS epoch-0 handshake type. */
function kind(d: Uint8Array): string {
  const b = d[0]!;
  if (b <= 3) return ((d[0]! << 8) | d[1]!) === 0x0101 ? 'stun-response' : 'stun-request';
  if (b >= 20 && b <= 63 && d.length >= 14) {
    const epoch = (d[3]! << 8) | d[4]!;
    if (b === 22 && epoch === 0) return `dtls-hs-${d[13]}`;
    return `dtls-${b}`;
  }
  return 'other';
}

/** A Network that records, per side, the kind of every datagram sent; `drop` may swallow one. */
function recording(inner: Network, log: string[], drop?: (kind: string) => boolean): Network {
  return tapNetwork(inner, {
    send(data) {
      log.push(kind(data));
      return !drop?.(kind(data));
    },
  });
}

async function connect(a: RTCPeerConnection, b: RTCPeerConnection, wait: (cond: () => boolean) => Promise<void>): Promise<number> {
  const dc = a.createDataChannel('setup');
  let remote: RTCDataChannel | undefined;
  b.ondatachannel = (e) => { remote = e.channel; };
  await a.setLocalDescription();
  await wait(() => a.iceGatheringState === 'complete');
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await wait(() => b.iceGatheringState === 'complete');
  await a.setRemoteDescription(b.localDescription!);
  const t0 = performance.now();
  await wait(() => dc.readyState === 'open' && remote?.readyState === 'open');
  return performance.now() - t0;
}

describe('connection set-up: trips and datagrams (webrtc + ice + dtls + sctp)', function () {
  this.timeout(20_000);

  it('over 127.0.0.1 the DTLS server answers the ClientHello with its flight: no HelloVerifyRequest round trip', async () => {
    const logA: string[] = [];
    const logB: string[] = [];
    const a = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'], network: recording(nodeNetwork, logA) } });
    const b = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'], network: recording(nodeNetwork, logB) } });
    try {
      const deadline = Date.now() + 10_000;
      await connect(a, b, async (cond) => {
        while (!cond()) {
          if (Date.now() > deadline) throw new Error(`not connected in 10 s: a ${a.connectionState}, b ${b.connectionState}`);
          await new Promise((r) => setTimeout(r, 1));
        }
      });
      // The answerer is DTLS client (RFC 8842 §5.3: the offer says actpass, the answer active). It
      // starts on its first valid pair; a second ClientHello is possible only when a's flight was
      // not back one pair RTT after the selection (resendIfUnanswered), which a loaded loop allows.
      expect(logB.filter((k) => k === 'dtls-hs-1').length, 'ClientHellos sent by b').to.be.within(1, 2);
      expect(logA.filter((k) => k === 'dtls-hs-3'), 'HelloVerifyRequests sent by a').to.have.length(0);
      expect(logA.find((k) => k.startsWith('dtls-'))).to.equal('dtls-hs-2'); // a's first DTLS datagram: ServerHello flight
    } finally {
      a.close();
      b.close();
    }
  });

  it('each connection generates its own certificate: fingerprints differ between the peers and between connections', async () => {
    const fps: string[] = [];
    for (let i = 0; i < 2; i++) {
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      for (const pc of [a, b]) fps.push(/a=fingerprint:sha-256 (\S+)/.exec(pc.localDescription!.sdp)![1]!);
      a.close();
      b.close();
    }
    expect(fps).to.have.length(4);
    expect(new Set(fps).size).to.equal(4);
  });

  it('with 10 ms one-way delay, both channels open 9 one-way trips after the answer is applied (FakeClock)', async () => {
    // Trips: ICE check and answer (2; the answerer starts DTLS as soon as its own check succeeds,
    // RFC 8445 §12.1, not on the nomination one trip later); DTLS ClientHello → server flight →
    // client flight → server CCS+Finished with its SCTP INIT right behind (4, no HelloVerifyRequest;
    // the server is connected first, so it initiates); SCTP INIT-ACK → COOKIE-ECHO bundled with
    // DCEP OPEN (RFC 9260 §5.1 C; b's channel opens here) → COOKIE-ACK with DCEP ACK (3; a's opens).
    // It was 13 trips with the HelloVerifyRequest, 11 before these changes.
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 1 });
    const logA: string[] = [];
    const logB: string[] = [];
    const a = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('a', { addresses: ['203.0.113.1'], link: { delayMs: 5 } }), logA), clock } });
    const b = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('b', { addresses: ['203.0.113.2'], link: { delayMs: 5 } }), logB), clock } });
    try {
      let start = 0;
      await connect(a, b, async (cond) => {
        start = clock.now();
        await clock.runUntil(cond, { maxMs: 10_000, stepMs: 1 });
      });
      const elapsed = clock.now() - start;
      expect(elapsed).to.equal(90); // 110 before, 130 with a HelloVerifyRequest
      expect(logB.filter((k) => k === 'dtls-hs-1'), 'ClientHellos sent by b').to.have.length(1);
      // The DTLS server (a) sends the first SCTP packet (INIT); b's first application data answers it.
      const firstAppA = logA.indexOf('dtls-23');
      expect(firstAppA, 'a sends application data').to.be.greaterThan(-1);
      expect(logA[firstAppA - 1], 'INIT right behind the CCS + Finished').to.equal('dtls-20');
      // SCTP set-up in application data records: a INIT, COOKIE-ECHO+OPEN; b INIT-ACK, COOKIE-ACK+ACK.
      expect(logA.filter((k) => k === 'dtls-23').length).to.be.greaterThanOrEqual(2);
    } finally {
      a.close();
      b.close();
    }
  });
  it('the DTLS client sends its own SCTP INIT when the server sends none (its INIT lost here): 4 pair RTTs, not the 1 s T1', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 1 });
    const logA: string[] = [];
    const logB: string[] = [];
    let droppedInit = false;
    // a's first application data record is its SCTP INIT: lose it, as if a never initiated.
    const dropFirstAppData = (k: string): boolean => !droppedInit && k === 'dtls-23' && (droppedInit = true);
    const a = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('a', { addresses: ['203.0.113.1'], link: { delayMs: 5 } }), logA, dropFirstAppData), clock } });
    const b = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('b', { addresses: ['203.0.113.2'], link: { delayMs: 5 } }), logB), clock } });
    try {
      let start = 0;
      let bConnectedAt = -1;
      b.addEventListener('connectionstatechange', () => { if (b.connectionState === 'connected') bConnectedAt = clock.now(); });
      await connect(a, b, async (cond) => {
        start = clock.now();
        await clock.runUntil(cond, { maxMs: 10_000, stepMs: 1 });
      });
      expect(droppedInit).to.equal(true);
      // b connected at 60 ms; its INIT after max(10, 4 × 20 ms RTT) = 80 ms of silence, then the
      // collision with nothing (a's INIT is lost) is an ordinary set-up answered by a: INIT-ACK,
      // COOKIE-ECHO, COOKIE-ACK with a's DCEP OPEN, then b's channel opens on the OPEN.
      expect(bConnectedAt - start).to.equal(60);
      expect(clock.now() - start).to.equal(60 + 80 + 40);
      expect(logB.filter((k) => k === 'dtls-23').length).to.be.greaterThanOrEqual(2); // INIT, COOKIE-ECHO, ...
    } finally {
      a.close();
      b.close();
    }
  });
  it('a ClientHello that arrives before the offerer applied the answer is kept, not lost (FakeClock)', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 1 });
    const logA: string[] = [];
    const logB: string[] = [];
    const a = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('a', { addresses: ['203.0.113.1'], link: { delayMs: 5 } }), logA), clock } });
    const b = new RTCPeerConnection({ rivulet: { network: recording(net.addHost('b', { addresses: ['203.0.113.2'], link: { delayMs: 5 } }), logB), clock } });
    try {
      const dc = a.createDataChannel('late-answer');
      let remote: RTCDataChannel | undefined;
      b.ondatachannel = (e) => { remote = e.channel; };
      await a.setLocalDescription();
      await clock.runUntil(() => a.iceGatheringState === 'complete', { maxMs: 1000, stepMs: 1 });
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      // The answer takes 100 ms to reach a: meanwhile b's check is answered by a (it knows its own
      // password), b's pair is valid and b's ClientHello reaches a, which has no DTLS transport yet.
      await clock.runUntil(() => logB.includes('dtls-hs-1'), { maxMs: 1000, stepMs: 1 });
      await clock.advanceAsync(100, 1);
      expect(logA.some((k) => k.startsWith('dtls-'))).to.equal(false);
      const t0 = clock.now();
      await a.setRemoteDescription(b.localDescription!);
      await clock.runUntil(() => dc.readyState === 'open' && remote?.readyState === 'open', { maxMs: 10_000, stepMs: 1 });
      // a answers the kept ClientHello as soon as its own check succeeds (one RTT: its server flight
      // leaves just before its USE-CANDIDATE); then client flight, CCS+Finished+INIT, INIT-ACK,
      // COOKIE-ECHO+OPEN (b open), COOKIE-ACK (a open): 20 + 6 × 10 ms.
      expect(logB.filter((k) => k === 'dtls-hs-1'), 'ClientHellos sent by b').to.have.length(1);
      expect(clock.now() - t0).to.equal(80);
    } finally {
      a.close();
      b.close();
    }
  });
});
