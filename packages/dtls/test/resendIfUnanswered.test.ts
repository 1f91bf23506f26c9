import { expect } from 'chai';
import type { DtlsCertificate } from '../src/index.js';
import { makePair, runUntil, testCertificates } from './helpers/pair.js';

const isClientHello = (d: Buffer): boolean => d[0] === 22 && d.readUInt16BE(3) === 0 && d[13] === 1;

/**
 * DtlsEndpoint.resendIfUnanswered(): the transport starts DTLS on the first valid ICE pair
 * (RFC 8445 §12.1) and calls this when a pair is selected, so a first flight the peer dropped
 * before its own selection is resent one round trip later, not after the retransmission timeout.
 */
describe('dtls resendIfUnanswered (first flight resent on a transport hint)', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('a client that heard nothing resends its ClientHello at once; the timer schedule is unchanged', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, { delayMs: 10 }, {}, { cookieExchange: false });
    expect(p.client.resendIfUnanswered()).to.equal(false); // not started
    // A peer that drops DTLS before its own ICE selection: nothing reaches the server until 30 ms.
    let deaf = true;
    p.pipe.attach('b', (d) => { if (!deaf) p.server.handleDatagram(d); });
    const sent: number[] = [];
    const count = () => p.pipe.log.filter((l) => l.from === 'a' && isClientHello(l.data)).length;
    p.server.start();
    p.client.start();
    sent.push(count());
    runUntil(p.clock, () => false, 30, 1);
    deaf = false;
    expect(p.clock.now()).to.equal(30);
    expect(p.client.resendIfUnanswered()).to.equal(true);
    sent.push(count());
    expect(sent).to.deep.equal([1, 2]);
    expect(p.client.retransmissions).to.equal(1);
    const elapsed = runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000, 1);
    // Resent at 30 ms, then 2 more round trips of 20 ms: connected at 30 + 40 ms, not ~1040 ms.
    expect(p.clock.now()).to.equal(70);
    expect(elapsed).to.equal(40);
    expect(count()).to.equal(2); // the 1 s timer did not fire meanwhile
    expect(p.errors.client).to.deep.equal([]);
  });

  it('does nothing once the peer answered, or on a server', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, { delayMs: 10 }, {}, { cookieExchange: false });
    p.server.start();
    p.client.start();
    expect(p.server.resendIfUnanswered()).to.equal(false); // a server has no running flight yet
    runUntil(p.clock, () => p.client.state === 'connected', 5_000, 1);
    expect(p.client.resendIfUnanswered()).to.equal(false);
    runUntil(p.clock, () => false, 25, 1);
    const hellos = p.pipe.log.filter((l) => l.from === 'a' && isClientHello(l.data));
    expect(hellos).to.have.length(1);
    expect(p.client.retransmissions).to.equal(0);
  });

  it('after a server flight arrived, a client waiting for the server Finished does not resend', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, { delayMs: 10 }, {}, { cookieExchange: false });
    p.server.start();
    p.client.start();
    runUntil(p.clock, () => p.clock.now() >= 25, 1_000, 1); // ServerHello flight arrived at 20 ms
    expect(p.client.state).to.equal('connecting');
    expect(p.client.resendIfUnanswered()).to.equal(false);
    expect(p.client.retransmissions).to.equal(0);
  });
});
