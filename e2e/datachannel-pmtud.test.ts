import { expect } from 'chai';
import type ndc from 'node-datachannel';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { connectNodeDatachannel, until, type Offerer } from './support/nodeDatachannel.js';
import { transportCounters } from './support/transportCounters.js';

/**
 * SCTP PLPMTUD (RFC 8899 over DTLS, RFC 8261 §5) through the whole stack on 127.0.0.1, whose
 * interface MTU (65536 on Linux) lets one SCTP packet fill a whole 2^14-byte DTLS record. Our
 * probes are HEARTBEAT + PAD (type 0x84): a peer only needs to answer the HEARTBEAT and skip the
 * unknown chunk. Checked against Rivulet itself and node-datachannel (usrsctp) in both offer roles;
 * Chromium and Firefox are in datachannel-pmtud-browsers.test.ts.
 */

/** Sends `count` messages of `size` bytes (message i filled with i & 0xff) with bufferedAmount back-pressure. */
function pump(dc: RTCDataChannel, count: number, size: number): void {
  let i = 0;
  dc.bufferedAmountLowThreshold = 256 * 1024;
  const fill = (): void => {
    while (i < count && dc.bufferedAmount < 1024 * 1024) {
      dc.send(new Uint8Array(size).fill(i & 0xff));
      i++;
    }
  };
  dc.onbufferedamountlow = fill;
  fill();
}

/** Counts messages and checks each one's size and fill byte; returns a live tally. */
function tally(): { messages: number; bad: number; add(data: Uint8Array, size: number): void } {
  return {
    messages: 0,
    bad: 0,
    add(data, size) {
      const want = this.messages & 0xff;
      if (data.length !== size || data[0] !== want || data[data.length - 1] !== want) this.bad++;
      this.messages++;
    },
  };
}

type Mode = 'off' | 'default' | 'rivulet-peer';

async function rivuletPair(mode: Mode): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection; dc: RTCDataChannel; remote: RTCDataChannel }> {
  const sctp = mode === 'off' ? { plpmtud: false } : mode === 'rivulet-peer' ? { peerMaxDatagram: 16384 + 64 } : {};
  const cfg = { rivulet: { interfaceAddresses: ['127.0.0.1'], sctp } };
  const a = new RTCPeerConnection(cfg);
  const b = new RTCPeerConnection(cfg);
  a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
  const dc = a.createDataChannel('bulk');
  dc.binaryType = 'arraybuffer';
  let remote: RTCDataChannel | undefined;
  b.ondatachannel = (e) => { remote = e.channel; };
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 10_000, 'channel open');
  remote!.binaryType = 'arraybuffer';
  return { a, b, dc, remote: remote! };
}

describe('SCTP PLPMTUD over DTLS on 127.0.0.1', function () {
  this.timeout(60_000);

  // Default: the peer is unknown (2048-byte datagrams → 2008), but a Rivulet peer announces that it
  // takes whole records (sctp pmtu/announce.ts), which lifts the cap to the path's 2^14.
  const expected: Record<Mode, number> = { 'off': 1200, 'default': 16384, 'rivulet-peer': 16384 };
  for (const mode of ['rivulet-peer', 'default', 'off'] as Mode[]) {
    it(`Rivulet ↔ Rivulet, PLPMTUD ${mode}: every SCTP packet is at most ${expected[mode]} bytes and the big ones are exactly that`, async () => {
      const { a, b, dc, remote } = await rivuletPair(mode);
      try {
        const COUNT = 128;
        const SIZE = 64 * 1024;
        const t = tally();
        remote.onmessage = (m) => t.add(new Uint8Array(m.data as ArrayBuffer), SIZE);
        pump(dc, COUNT, SIZE);
        await until(() => t.messages === COUNT, 40_000, `${COUNT} messages`);
        expect(t.bad).to.equal(0);
        const ca = await transportCounters(a);
        const cb = await transportCounters(b);
        if (mode !== 'off') {
          // AES-GCM records (37 bytes of overhead) on loopback (MTU 65536): 2^14 with a Rivulet peer,
          // configured or announced. Reached without a single lost probe.
          expect(ca['sctp:plpmtu']).to.equal(expected[mode]);
          expect(cb['sctp:plpmtu']).to.equal(expected[mode]);
          // 8 MiB: most of it in full-size packets (the first ones may leave while the search climbs).
          expect(ca['sctp:packetsOverBase']).to.be.greaterThan((0.8 * COUNT * SIZE) / expected[mode]);
          expect(ca['sctp:plpmtuProbesLost']).to.equal(0);
        } else {
          expect(ca['sctp:plpmtu']).to.equal(1200);
          expect(ca['sctp:packetsOverBase']).to.equal(0);
          expect(ca['sctp:plpmtuProbesSent']).to.equal(undefined);
        }
      } finally {
        a.close();
        b.close();
      }
    });
  }

  for (const offerer of ['rivulet', 'node-datachannel'] as Offerer[]) {
    it(`with node-datachannel (usrsctp), ${offerer} offers: a transfer completes both ways and our packets grow past 1200`, async () => {
      const pair = await connectNodeDatachannel({ offerer });
      try {
        const dc = pair.pc.createDataChannel('bulk');
        dc.binaryType = 'arraybuffer';
        await until(() => dc.readyState === 'open' && pair.peerChannels.length === 1, 10_000, 'bulk channel open');
        const peerDc: ndc.DataChannel = pair.peerChannels[0]!;
        const COUNT = 128;
        const SIZE = 64 * 1024;
        const t = tally();
        peerDc.onMessage((m) => t.add(typeof m === 'string' ? Buffer.from(m) : new Uint8Array(m as ArrayBuffer), SIZE));
        // Back towards us: node-datachannel's 1200-byte packets, our SACKs.
        const back = tally();
        dc.onmessage = (m) => back.add(new Uint8Array(m.data as ArrayBuffer), 1000);
        pump(dc, COUNT, SIZE);
        for (let i = 0; i < 200; i++) peerDc.sendMessageBinary(Buffer.alloc(1000, i & 0xff));
        await until(() => t.messages === COUNT && back.messages === 200, 40_000, `${COUNT} messages to node-datachannel, 200 back`);
        expect(t.bad).to.equal(0);
        expect(back.bad).to.equal(0);
        const c = await transportCounters(pair.pc);
        // Default EMTU_R (2048-byte datagrams): node-datachannel takes up to 4096, so no probe is lost.
        expect(c['sctp:plpmtu']).to.equal(2008);
        expect(c['sctp:plpmtuProbesLost']).to.equal(0);
        expect(c['sctp:packetsOverBase']).to.be.greaterThan((0.8 * COUNT * SIZE) / 2008);
      } finally {
        pair.close();
      }
    });
  }
});
