import { expect } from 'chai';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';
import { createPair, negotiate, openRealChannel, until } from './helpers/peers.js';

describe('RTCDataChannel (webrtc-pc §6)', function () {
  this.timeout(10000);

  it('createDataChannel throws the spec errors', () => {
    const pc = new RTCPeerConnection();
    expect(() => pc.createDataChannel('x', { maxPacketLifeTime: 10, maxRetransmits: 1 })).to.throw(TypeError, /both/);
    expect(() => pc.createDataChannel('x'.repeat(65536))).to.throw(TypeError, /label is 65536 bytes/);
    expect(() => pc.createDataChannel('x', { protocol: 'é'.repeat(32768) })).to.throw(TypeError, /protocol is 65536 bytes/);
    expect(() => pc.createDataChannel('x', { negotiated: true })).to.throw(TypeError, /needs an id/);
    expect(() => pc.createDataChannel('x', { negotiated: true, id: 65535 })).to.throw(TypeError, /reserved/);
    expect(() => pc.createDataChannel('x', { maxRetransmits: 70000 })).to.throw(TypeError, /0\.\.65535/);
    pc.close();
    expect(() => pc.createDataChannel('x')).to.throw(DOMException, /closed/);
  });

  it('has the spec defaults', () => {
    const pc = new RTCPeerConnection();
    const dc = pc.createDataChannel('label');
    expect(dc.label).to.equal('label');
    expect(dc.ordered).to.equal(true);
    expect(dc.maxPacketLifeTime).to.equal(null);
    expect(dc.maxRetransmits).to.equal(null);
    expect(dc.protocol).to.equal('');
    expect(dc.negotiated).to.equal(false);
    expect(dc.id).to.equal(null);
    expect(dc.readyState).to.equal('connecting');
    expect(dc.bufferedAmount).to.equal(0);
    expect(dc.bufferedAmountLowThreshold).to.equal(0);
    expect(dc.binaryType).to.equal('arraybuffer');
    dc.binaryType = 'nonsense' as 'blob';
    expect(dc.binaryType).to.equal('arraybuffer');
    expect(() => dc.send('x')).to.throw(DOMException, /not "open"/);
    pc.close();
  });

  it('opens in-band channels on both sides with odd/even ids by DTLS role, and delivers Blob and views in order', async () => {
    const { a, b, close } = createPair();
    const dc = a.createDataChannel('chat', { ordered: false, maxRetransmits: 3 });
    let remote: RTCDataChannel | undefined;
    b.ondatachannel = (e) => { remote = e.channel; };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 3000, 'open');
    // a offered (actpass), b answered active → b is the DTLS client (even ids), a the server (odd).
    expect(dc.id! % 2).to.equal(1);
    expect(remote!.ordered).to.equal(false);
    expect(remote!.maxRetransmits).to.equal(3);
    const got: unknown[] = [];
    remote!.binaryType = 'arraybuffer';
    remote!.onmessage = (m) => got.push(m.data);
    dc.send(new Blob([new Uint8Array([9, 9])]));
    dc.send(new Uint16Array([1]));
    dc.send('after');
    await until(() => got.length === 3, 3000, 'messages');
    expect([...new Uint8Array(got[0] as ArrayBuffer)]).to.deep.equal([9, 9]);
    expect((got[1] as ArrayBuffer).byteLength).to.equal(2);
    expect(got[2]).to.equal('after');
    remote!.binaryType = 'blob';
    dc.send(new Uint8Array([5]));
    await until(() => got.length === 4, 3000, 'blob message');
    expect(got[3]).to.be.instanceOf(Blob);
    close();
  });

  it('negotiated channels pair by id without DCEP', async () => {
    const { a, b, close } = createPair();
    const x = a.createDataChannel('n', { negotiated: true, id: 7 });
    const y = b.createDataChannel('n', { negotiated: true, id: 7 });
    let announced = 0;
    b.ondatachannel = () => announced++;
    expect(x.id).to.equal(7);
    await negotiate(a, b);
    await until(() => x.readyState === 'open' && y.readyState === 'open', 3000, 'open');
    const got: string[] = [];
    y.onmessage = (m) => got.push(m.data as string);
    x.send('hi');
    await until(() => got.length === 1, 3000, 'message');
    expect(announced).to.equal(0);
    close();
  });

  it('rejects messages above maxMessageSize with TypeError and closes with closing/close', async () => {
    const { a, b, close } = createPair();
    const dc = a.createDataChannel('big');
    let remote: RTCDataChannel | undefined;
    b.ondatachannel = (e) => { remote = e.channel; };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open' && remote !== undefined, 3000, 'open');
    expect(a.sctp!.maxMessageSize).to.equal(262144);
    expect(() => dc.send(new Uint8Array(262145))).to.throw(TypeError, /maxMessageSize 262144/);
    const events: string[] = [];
    remote!.onclosing = () => events.push('remote closing');
    remote!.onclose = () => events.push('remote close');
    dc.onclosing = () => events.push('local closing');
    dc.onclose = () => events.push('local close');
    dc.close();
    expect(dc.readyState).to.equal('closing');
    await until(() => dc.readyState === 'closed' && remote!.readyState === 'closed', 3000, 'closed');
    // close() itself fires no closing event on the side that called it.
    expect(events).to.deep.equal(['remote closing', 'remote close', 'local close']);
    close();
  });

  it('bufferedAmount grows on send and bufferedamountlow fires at the threshold', async () => {
    const { a, b, close } = createPair();
    const dc = a.createDataChannel('buf');
    await negotiate(a, b);
    await until(() => dc.readyState === 'open', 3000, 'open');
    dc.bufferedAmountLowThreshold = 10;
    let low = 0;
    dc.onbufferedamountlow = () => low++;
    dc.send(new Uint8Array(100));
    expect(dc.bufferedAmount).to.equal(100);
    await until(() => low === 1, 3000, 'bufferedamountlow');
    expect(dc.bufferedAmount).to.equal(0);
    close();
  });
});

describe('RTCDataChannel.bufferedAmount over the real stack (webrtc-pc §6.2)', function () {
  this.timeout(20000);
  it('includes every byte sent in the current task, even when the association transmits at once', async () => {
    const { dc, close } = await openRealChannel();
    try {
      await new Promise((r) => setTimeout(r, 100)); // an idle association sends at once, within send()
      dc.send(new Uint8Array(1000));
      expect(dc.bufferedAmount).to.equal(1000);
      dc.send('héllo'); // 6 bytes of UTF-8
      expect(dc.bufferedAmount).to.equal(1006);
      for (let i = 0; i < 63; i++) dc.send(new Uint8Array(65536));
      expect(dc.bufferedAmount).to.equal(1006 + 63 * 65536);
      await until(() => dc.bufferedAmount === 0, 10000, 'drained');
    } finally {
      close();
    }
  });
});
