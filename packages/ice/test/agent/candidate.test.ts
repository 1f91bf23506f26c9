import { expect } from 'chai';
import { CheckList } from '../../src/agent/checklist.js';
import { IceAgent, IceCandidate, candidatePriority, pairPriority, parseIceServerUrl, CandidatePair, type LocalCandidate } from '../../src/agent/index.js';
import type { LocalBase } from '../../src/agent/base.js';

describe('IceCandidate (RFC 8839 §5.1)', () => {
  it('parses a Chromium host candidate with extensions and re-serializes it exactly', () => {
    const line = 'candidate:842163049 1 udp 1677729535 198.51.100.7 51000 typ srflx raddr 10.0.0.5 rport 51000 generation 0 ufrag EsAw network-id 1 network-cost 10';
    const c = IceCandidate.fromSdp(`a=${line}`);
    expect(c.foundation).to.equal('842163049');
    expect(c.component).to.equal(1);
    expect(c.protocol).to.equal('udp');
    expect(c.priority).to.equal(1677729535);
    expect(c.address).to.equal('198.51.100.7');
    expect(c.port).to.equal(51000);
    expect(c.type).to.equal('srflx');
    expect(c.relatedAddress).to.equal('10.0.0.5');
    expect(c.relatedPort).to.equal(51000);
    expect(c.usernameFragment).to.equal('EsAw');
    expect(c.toSdp()).to.equal(line);
  });

  it('parses TCP candidates, mDNS hosts and IPv6', () => {
    const t = IceCandidate.fromSdp('candidate:1 1 TCP 1518280447 192.0.2.1 9 typ host tcptype active');
    expect(t.protocol).to.equal('tcp');
    expect(t.tcpType).to.equal('active');
    const m = IceCandidate.fromSdp('candidate:2 1 udp 2122260223 6b1d0c5e-3b7a-4a8e-9d6e-0c5d5b1a2f3c.local 54400 typ host');
    expect(m.isMdns).to.equal(true);
    expect(m.family).to.equal(undefined);
    const v6 = IceCandidate.fromSdp('candidate:3 1 udp 2122262783 2001:db8::1 5000 typ host');
    expect(v6.family).to.equal('IPv6');
    expect(v6.key).to.equal('[2001:db8::1]:5000');
  });

  it('rejects malformed lines naming the field', () => {
    expect(() => IceCandidate.fromSdp('foo')).to.throw(/must start with "candidate:"/);
    expect(() => IceCandidate.fromSdp('candidate:1 1 sctp 1 1.2.3.4 5 typ host')).to.throw(/transport must be UDP or TCP, got "sctp"/);
    expect(() => IceCandidate.fromSdp('candidate:1 1 udp x 1.2.3.4 5 typ host')).to.throw(/priority/);
    expect(() => IceCandidate.fromSdp('candidate:1 1 udp 1 1.2.3.4 70000 typ host')).to.throw(/port .*70000/);
    expect(() => IceCandidate.fromSdp('candidate:1 1 udp 1 1.2.3.4 5 typ bogus')).to.throw(/type .*bogus/);
    expect(() => IceCandidate.fromSdp('candidate:a_b 1 udp 1 1.2.3.4 5 typ host')).to.throw(/foundation/);
  });

  it('computes RFC 8445 §5.1.2.1 priorities', () => {
    expect(candidatePriority('host', 65535, 1)).to.equal(2130706431);
    expect(candidatePriority('srflx', 65535, 1)).to.equal(1694498815);
    expect(candidatePriority('prflx', 65535, 1)).to.equal(1862270975);
    expect(candidatePriority('relay', 65535, 2)).to.equal(16777214);
    expect(() => candidatePriority('host', 70000)).to.throw(/70000/);
  });

  it('computes RFC 8445 §6.1.2.3 pair priorities in 64 bits', () => {
    // G = 2130706431 (controlling host), D = 1694498815 (controlled srflx)
    expect(pairPriority(2130706431, 1694498815)).to.equal((1694498815n << 32n) + 2n * 2130706431n + 1n);
    expect(pairPriority(1694498815, 2130706431)).to.equal((1694498815n << 32n) + 2n * 2130706431n);
    expect(pairPriority(5, 5)).to.equal((5n << 32n) + 10n);
  });

  it('parses stun:/turn: URLs (RFC 7064/7065)', () => {
    expect(parseIceServerUrl('stun:stun.example.org')).to.deep.equal({ scheme: 'stun', host: 'stun.example.org', port: 3478, transport: 'udp' });
    expect(parseIceServerUrl('turn:[2001:db8::1]:3479?transport=tcp')).to.deep.equal({ scheme: 'turn', host: '2001:db8::1', port: 3479, transport: 'tcp' });
    expect(parseIceServerUrl('turns:relay.example.org')).to.deep.equal({ scheme: 'turns', host: 'relay.example.org', port: 5349, transport: 'tcp' });
    expect(() => parseIceServerUrl('http://x')).to.throw(/not a stun:\/turn: URL/);
  });
});

describe('IceAgent.addRemoteCandidate input checks', () => {
  it('ignores (and counts) TCP, RTCP-component, unspecified and port-0 candidates; rejects non-candidates', () => {
    const agent = new IceAgent({ controlling: true, network: { interfaces: () => [], bindUdp: () => Promise.reject(new Error('no')), connectTcp: () => Promise.reject(new Error('no')) } });
    try {
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 1 tcp 1 192.0.2.1 9 typ host tcptype active'));
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 2 udp 1 192.0.2.1 9 typ host'));
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 1 udp 1 0.0.0.0 9 typ host'));
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 1 udp 1 192.0.2.1 0 typ host'));
      agent.addRemoteCandidate(IceCandidate.fromSdp('candidate:1 1 udp 1 192.0.2.1 9 typ host'));
      expect(agent.counters.get('remote-candidate-ignored')).to.equal(4);
      expect(agent.remoteCandidateList.map((c) => c.key)).to.deep.equal(['192.0.2.1:9']);
      expect(() => agent.addRemoteCandidate('candidate:1 1 udp 1 192.0.2.1 9 typ host' as unknown as IceCandidate)).to.throw(/expected an IceCandidate or null/);
      expect(() => agent.setRemoteParameters({ usernameFragment: 'ab', password: 'x'.repeat(22) })).to.throw(/usernameFragment must be 4\.\.256 ice-chars, got "ab"/);
    } finally {
      agent.close();
    }
    expect(() => agent.start()).to.throw(/IceAgent.start: the agent is closed/);
  });
});

describe('CheckList (RFC 8445 §6.1.2)', () => {
  const base = (id: number) => ({ id, address: { address: '192.0.2.1', port: 1000 + id, family: 'IPv4' } }) as unknown as LocalBase;
  const local = (b: LocalBase, foundation: string, prio: number): LocalCandidate => ({
    candidate: new IceCandidate({ foundation, priority: prio, address: b.address.address, port: b.address.port, type: 'host' }),
    base: b,
    address: b.address,
  });
  const remote = (port: number, foundation: string, prio: number) => new IceCandidate({ foundation, priority: prio, address: '198.51.100.1', port, type: 'host' });

  it('orders by priority, freezes all but one pair per foundation, prunes duplicates, unfreezes on success', () => {
    const list = new CheckList();
    const b1 = base(1);
    const l = local(b1, 'L', 100);
    const p1 = list.add(new CandidatePair(l, remote(1, 'R', 50), true))!;
    const p2 = list.add(new CandidatePair(l, remote(2, 'R', 500), true))!;
    const p3 = list.add(new CandidatePair(l, remote(3, 'S', 10), true))!;
    expect(list.all.map((p) => p.remote.port)).to.deep.equal([2, 1, 3]);
    expect([p1.state, p2.state, p3.state]).to.deep.equal(['waiting', 'frozen', 'waiting']);
    expect(list.add(new CandidatePair(l, remote(1, 'R', 50), true))).to.equal(p1); // pruned
    expect(list.size).to.equal(3);
    expect(list.next()).to.equal(p1);
    p1.state = 'succeeded';
    list.unfreeze('L:R');
    expect(p2.state).to.equal('waiting');
    expect(list.next()).to.equal(p2);
  });

  it('serves triggered checks first and caps the list size', () => {
    const list = new CheckList(2);
    const l = local(base(2), 'L', 100);
    const a = list.add(new CandidatePair(l, remote(1, 'A', 500), true))!;
    const b = list.add(new CandidatePair(l, remote(2, 'B', 50), true))!;
    list.trigger(b);
    expect(list.next()).to.equal(b);
    expect(list.add(new CandidatePair(l, remote(3, 'C', 10), true))).to.equal(undefined); // lower than all, list full
    const c = list.add(new CandidatePair(l, remote(4, 'D', 5000), true));
    expect(c).to.not.equal(undefined);
    expect(list.size).to.equal(2);
    expect(list.all).to.include(a);
  });
});
