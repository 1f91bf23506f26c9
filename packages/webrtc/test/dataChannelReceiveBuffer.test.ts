import { expect } from 'chai';
import { SctpAssociation } from '@rivulet/sctp';
import { openRealChannel, until } from './helpers/peers.js';

/**
 * webrtc-pc §6.2 gives each received binary message a new ArrayBuffer. A message SCTP reassembled
 * from several chunks already arrives in a Buffer of its own (docs/sctp.md, delivery contract):
 * RTCDataChannel hands that ArrayBuffer over instead of copying it; a message that is a view into a
 * packet buffer is copied.
 */
describe('RTCDataChannel received ArrayBuffers', function () {
  this.timeout(10000);
  const proto = SctpAssociation.prototype as unknown as { emit: (event: string, ...args: unknown[]) => boolean };
  const original = proto.emit;
  afterEach(() => { proto.emit = original; });

  it('hands over a reassembled message buffer without a copy, copies a single-chunk message, and keeps messages independent', async () => {
    const delivered: Buffer[] = [];
    proto.emit = function (this: unknown, event: string, ...args: unknown[]): boolean {
      if (event === 'message' && (args[1] === 53 || args[1] === 57)) delivered.push(args[2] as Buffer); // PPID binary / binary empty
      return original.call(this, event, ...args);
    };
    // The real stack (ICE, DTLS, SCTP on 127.0.0.1): the linked test bundles carry no SCTP.
    const { dc, remote, close } = await openRealChannel('buffers');
    try {
      const got: ArrayBuffer[] = [];
      remote.onmessage = (m) => got.push(m.data as ArrayBuffer);
      const big = (seed: number) => Uint8Array.from({ length: 16384 }, (_, i) => (i * 31 + seed) & 0xff);
      const small = Uint8Array.from({ length: 100 }, (_, i) => i);
      dc.send(big(1));
      dc.send(small);
      dc.send(big(2));
      await until(() => got.length === 3, 3000, 'three messages');
      proto.emit = original;
      expect(delivered).to.have.length(3);
      // 16 KiB is 14 DATA chunks at the default MTU: SCTP's reassembled Buffer spans its ArrayBuffer.
      expect(delivered[0]!.byteOffset).to.equal(0);
      expect(delivered[0]!.byteLength).to.equal(delivered[0]!.buffer.byteLength);
      expect(got[0]).to.equal(delivered[0]!.buffer);
      expect(got[2]).to.equal(delivered[2]!.buffer);
      // 100 bytes travel in one chunk, a view into the packet: copied into an ArrayBuffer of exactly 100 bytes.
      expect(got[1]).to.not.equal(delivered[1]!.buffer);
      expect(got[1]!.byteLength).to.equal(100);
      expect(Buffer.from(got[1]!).equals(Buffer.from(small))).to.equal(true);
      // Each message has its own bytes: writing into one leaves the others intact.
      new Uint8Array(got[0]!).fill(0);
      expect(got[0]!.byteLength).to.equal(16384);
      expect(Buffer.from(got[2]!).equals(Buffer.from(big(2)))).to.equal(true);
      expect(Buffer.from(got[1]!).equals(Buffer.from(small))).to.equal(true);
    } finally {
      close();
    }
  });
});
