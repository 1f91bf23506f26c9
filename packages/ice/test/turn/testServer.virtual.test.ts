import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { allocateTurn, TurnClient, TurnTestServer } from '../../src/turn/index.js';
import { drive } from './helpers.js';

describe('TurnTestServer relay families (REQUESTED-ADDRESS-FAMILY)', () => {
  it('relays from the IPv6 relay address when asked, and answers 440 for a family it lacks', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const srv = net.addHost('srv', { addresses: ['203.0.113.1', '2001:db8::1'] });
    const cli = net.addHost('cli', { addresses: ['203.0.113.2', '2001:db8::2'] });
    await TurnTestServer.start({ network: srv, clock, address: '203.0.113.1', relayAddress: ['203.0.113.1', '2001:db8::1'], users: { u: 'p' } });
    const cfg = { address: '203.0.113.1', port: 3478, transport: 'udp' as const, username: 'u', credential: 'p' };
    const v6 = (await drive(clock, allocateTurn({ server: cfg, network: cli, clock, relayFamily: 'IPv6' }))) as TurnClient;
    expect(v6.relayedAddress).to.deep.equal({ address: '2001:db8::1', port: 49152, family: 'IPv6' });
    const v4 = (await drive(clock, allocateTurn({ server: cfg, network: cli, clock }))) as TurnClient;
    expect(v4.relayedAddress.family).to.equal('IPv4');

    const net2 = new VirtualNetwork({ clock });
    const srv2 = net2.addHost('srv', { addresses: ['203.0.113.1'] });
    const cli2 = net2.addHost('cli', { addresses: ['203.0.113.2'] });
    await TurnTestServer.start({ network: srv2, clock, address: '203.0.113.1', users: { u: 'p' } });
    const err = await drive(clock, allocateTurn({ server: cfg, network: cli2, clock, relayFamily: 'IPv6' })).catch((e: Error) => e);
    expect((err as Error).message).to.equal('TURN Allocate to udp 203.0.113.1:3478 failed: 440 Address Family not Supported');
  });

  it('start() rejects options without users', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const srv = net.addHost('srv', { addresses: ['203.0.113.1'] });
    const err = await TurnTestServer.start({ network: srv, clock, address: '203.0.113.1', users: {} }).catch((e: Error) => e);
    expect((err as Error).message).to.equal('TurnTestServer.start: users must map at least one username to its password');
  });

  it('the client follows one 300 Try Alternate (RFC 8489 §10) and reports a redirect loop clearly', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const front = net.addHost('front', { addresses: ['203.0.113.1'] });
    const back = net.addHost('back', { addresses: ['203.0.113.9'] });
    const cli = net.addHost('cli', { addresses: ['203.0.113.2'] });
    const redirector = await TurnTestServer.start({ network: front, clock, address: '203.0.113.1', users: { u: 'p' }, alternateServer: { address: '203.0.113.9', port: 3478 } });
    const real = await TurnTestServer.start({ network: back, clock, address: '203.0.113.9', users: { u: 'p' } });
    const cfg = { address: '203.0.113.1', port: 3478, transport: 'udp' as const, username: 'u', credential: 'p' };
    const a = (await drive(clock, allocateTurn({ server: cfg, network: cli, clock }))) as TurnClient;
    expect(a.relayedAddress.address).to.equal('203.0.113.9');
    expect(a.serverLabel).to.equal('udp 203.0.113.9:3478');
    expect([redirector.allocationCount, real.allocationCount]).to.deep.equal([0, 1]);

    // an alternate that redirects again is not followed a second time
    const loopHost = net.addHost('loop', { addresses: ['203.0.113.10'] });
    await TurnTestServer.start({ network: loopHost, clock, address: '203.0.113.10', users: { u: 'p' }, alternateServer: { address: '203.0.113.1', port: 3478 } });
    const err = await drive(clock, allocateTurn({ server: { ...cfg, address: '203.0.113.10' }, network: cli, clock })).catch((e: Error) => e);
    expect((err as Error).message).to.equal('TURN Allocate to udp 203.0.113.1:3478 redirected to 203.0.113.9:3478 (300 Try Alternate)');
  });
});
