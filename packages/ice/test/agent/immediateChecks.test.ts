import { expect } from 'chai';
import { FakeClock, type DatagramHandler, type DatagramSocket, type Network } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { StunClass, StunMessage, StunMethod, attr, encodeStun, parseStun, shortTermKey } from '../../src/stun/index.js';
import { IceAgent, IceCandidate } from '../../src/agent/index.js';

interface Sent { msg: StunMessage; to: string; at: number }

/**
 * The agent's sockets, with every send recorded synchronously and the receive handler exposed, so
 * a test can tell "sent in the same turn" from "sent after a timer" (a zero-delay FakeClock timer
 * fires at the same fake time, so fake time alone cannot).
 */
function tap(inner: Network, clock: FakeClock): { network: Network; sent: Sent[]; deliver: (d: Buffer, from: { address: string; port: number }) => void } {
  const sent: Sent[] = [];
  let handler: DatagramHandler | undefined;
  const network: Network = {
    interfaces: () => inner.interfaces(),
    connectTcp: (o) => inner.connectTcp(o),
    async bindUdp(o): Promise<DatagramSocket> {
      const s = await inner.bindUdp(o);
      return {
        get localAddress() { return s.localAddress; },
        get closed() { return s.closed; },
        onMessage: (h) => { handler = h; s.onMessage(h); },
        close: () => s.close(),
        send(data, port, address) {
          const msg = parseStun(Buffer.from(data));
          if (msg) sent.push({ msg, to: `${address}:${port}`, at: clock.now() });
          s.send(data, port, address);
        },
      };
    },
  };
  return { network, sent, deliver: (d, from) => handler!(d, { address: from.address, port: from.port, family: 'IPv4' }) };
}

const requests = (sent: Sent[]) => sent.filter((s) => s.msg.method === StunMethod.Binding && s.msg.messageClass === StunClass.Request);

describe('IceAgent sends checks without waiting for a timer (RFC 8445 §6.1.4.2, §7.3.1.4)', function () {
  this.timeout(10_000);
  const peerParams = { usernameFragment: 'peerUfrag', password: 'peerPasswordPeerPassword' };

  async function gatheredAgent(controlling: boolean) {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const host = net.addHost('ours', { addresses: ['198.51.100.1'], link: { delayMs: 10 } });
    const t = tap(host, clock);
    const agent = new IceAgent({ controlling, clock, network: t.network, iceServers: [] });
    const gathered = agent.gather();
    await clock.runUntil(() => agent.gatheringState === 'complete', { maxMs: 1000 });
    await gathered;
    return { clock, agent, ...t };
  }

  it('the first check leaves in the same turn as the remote candidate that creates the first pair', async () => {
    const { clock, agent, sent } = await gatheredAgent(true);
    try {
      agent.setRemoteParameters(peerParams);
      agent.start();
      expect(requests(sent)).to.have.length(0); // no pair yet
      const timersBefore = clock.pendingTimers;
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 1 udp 2130706431 198.51.100.2 7000 typ host'));
      // No clock advance, no timer run: the check is already on the wire.
      const reqs = requests(sent);
      expect(reqs).to.have.length(1);
      expect(reqs[0]!.to).to.equal('198.51.100.2:7000');
      expect(attr.getUsername(reqs[0]!.msg)).to.equal(`${peerParams.usernameFragment}:${agent.localParameters.usernameFragment}`);
      // What is pending is the Ta timer for a next check and the retransmission, not this check.
      expect(clock.pendingTimers).to.be.greaterThan(timersBefore);
      // Pacing still holds for the next one (RFC 8445 §6.1.4.2: Ta = 50 ms by default).
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:2 1 udp 2130706175 198.51.100.3 7001 typ host'));
      expect(requests(sent)).to.have.length(1);
      clock.advance(49);
      expect(requests(sent).filter((r) => r.to === '198.51.100.3:7001')).to.have.length(0);
      clock.advance(1);
      expect(requests(sent).filter((r) => r.to === '198.51.100.3:7001')).to.have.length(1);
    } finally {
      agent.close();
    }
  });

  it('a triggered check leaves in the same turn as the request that triggered it, right after the response', async () => {
    const { agent, sent, deliver } = await gatheredAgent(false);
    try {
      agent.setRemoteParameters(peerParams);
      agent.start();
      const local = agent.localCandidateList[0]!;
      const check = new StunMessage(StunMethod.Binding, StunClass.Request);
      attr.setUsername(check, `${agent.localParameters.usernameFragment}:${peerParams.usernameFragment}`);
      attr.setPriority(check, 1862270975);
      attr.setIceControlling(check, 99n);
      expect(local.address).to.equal('198.51.100.1');
      deliver(encodeStun(check, { integrityKey: shortTermKey(agent.localParameters.password), fingerprint: true }), { address: '198.51.100.2', port: 7000 });
      const kinds = sent.map((s) => `${s.msg.messageClass === StunClass.SuccessResponse ? 'response' : 'request'} → ${s.to}`);
      expect(kinds).to.deep.equal(['response → 198.51.100.2:7000', 'request → 198.51.100.2:7000']);
      expect(attr.getIceControlled(sent[1]!.msg)).to.not.equal(undefined);
    } finally {
      agent.close();
    }
  });
});
