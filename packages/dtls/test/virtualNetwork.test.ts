import { expect } from 'chai';
import { FakeClock, VirtualNetwork } from '@rivulet/testkit';
import { DtlsEndpoint, type DtlsCertificate } from '../src/index.js';
import { runUntil, testCertificates } from './helpers/pair.js';

describe('dtls over @rivulet/testkit VirtualNetwork (FakeClock)', function () {
  this.timeout(30_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  async function setup(seed: number, link: { loss: number; jitterMs: number; duplicate: number; reorder: number }) {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed });
    // 30 % loss each way on the client's access link, plus reordering and duplication on both.
    const a = net.addHost('a', { addresses: ['192.0.2.1'], link: { delayMs: 10, ...link } });
    const b = net.addHost('b', { addresses: ['198.51.100.1'], link: { delayMs: 10, jitterMs: link.jitterMs, duplicate: link.duplicate, reorder: link.reorder } });
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    const sb = await b.bindUdp({ address: '198.51.100.1', port: 5000 });
    const opts = { clock, initialRetransmitMs: 200, handshakeTimeoutMs: 120_000, mtu: 500 };
    const client = new DtlsEndpoint({
      ...opts,
      role: 'client',
      certificate: ec[0]!,
      remoteFingerprints: [ec[1]!.fingerprints[0]!],
      send: (d) => sa.send(d, 5000, '198.51.100.1'),
    });
    const server = new DtlsEndpoint({
      ...opts,
      role: 'server',
      certificate: ec[1]!,
      remoteFingerprints: [ec[0]!.fingerprints[0]!],
      send: (d) => sb.send(d, sa.localAddress.port, '192.0.2.1'),
    });
    sa.onMessage((d) => client.handleDatagram(d));
    sb.onMessage((d) => server.handleDatagram(d));
    return { clock, net, client, server };
  }

  for (const seed of [11, 12, 13, 14]) {
    it(`handshake completes under 30 % loss with reordering and duplication, then data flows (seed ${seed})`, async () => {
      const { clock, net, client, server } = await setup(seed, { loss: 0.3, jitterMs: 30, duplicate: 0.05, reorder: 0.1 });
      const errors: string[] = [];
      client.on('error', (e) => errors.push(`client: ${e.message}`));
      server.on('error', (e) => errors.push(`server: ${e.message}`));
      server.start();
      client.start();
      const ms = runUntil(clock, () => client.state === 'connected' && server.state === 'connected', 120_000, 10);
      expect(errors).to.deep.equal([]);
      expect(client.state, `after ${ms} ms fake time`).to.equal('connected');
      expect(server.state).to.equal('connected');
      expect(net.counters.get('dropped:loss')).to.be.greaterThan(0);
      expect(client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).equals(server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60))).to.equal(true);
      // Application data under the same loss: send until one copy gets through each way.
      const got: string[] = [];
      server.on('data', (d) => got.push(`s:${d}`));
      client.on('data', (d) => got.push(`c:${d}`));
      for (let i = 0; i < 50 && !got.includes('s:ping'); i++) {
        client.send(Buffer.from('ping'));
        clock.advance(100);
      }
      for (let i = 0; i < 50 && !got.includes('c:pong'); i++) {
        server.send(Buffer.from('pong'));
        clock.advance(100);
      }
      expect(got).to.include('s:ping');
      expect(got).to.include('c:pong');
    });
  }
});
