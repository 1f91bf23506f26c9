import { expect } from 'chai';
import { crc32c, sctpChecksum } from '../src/crc32c.js';
import { parsePacket, verifyChecksum, serializePacket } from '../src/packet.js';

// Vectors from /work/shared/vectors.md (CRC catalogue, RFC 3720 §B.4, real SCTP packets).
describe('CRC-32c', () => {
  it('matches the catalogue check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
  });
  it('matches the RFC 3720 §B.4 examples', () => {
    expect(crc32c(Buffer.alloc(32, 0))).to.equal(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).to.equal(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).to.equal(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).to.equal(0x113fdb5c);
  });
  it('agrees with a bytewise reference on odd lengths and offsets', () => {
    const ref = (b: Buffer): number => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const data = Buffer.from(Array.from({ length: 101 }, (_, i) => (i * 37 + 11) & 0xff));
    for (let start = 0; start < 9; start++) {
      for (const end of [start, start + 1, start + 7, start + 8, start + 9, 57, 101]) {
        expect(crc32c(data, start, end)).to.equal(ref(data.subarray(start, end)), `[${start},${end})`);
      }
    }
  });
  it('verifies the header-only SCTP packet vector (checksum bytes 06a900e1, LSB first)', () => {
    const pkt = Buffer.from('13881388000000000' + '6a900e1', 'hex');
    expect(sctpChecksum(pkt)).to.equal(0xe100a906);
    expect(pkt.readUInt32LE(8)).to.equal(0xe100a906);
  });
  it('verifies and re-serializes the INIT packet vector byte for byte', () => {
    const hex =
      '138813880000000081469dfc0100005655b964a50002000004000800e86d1030' +
      'c000000480080009c00fc18082000000800200249febbb5c50c9bf759cb12c57' +
      '4fa45a51ba60177827945c31e65d5b0947e22206800400060001000080030006' +
      '80c10000';
    const pkt = Buffer.from(hex, 'hex');
    expect(verifyChecksum(pkt)).to.equal(true);
    const parsed = parsePacket(pkt);
    expect(parsed.sourcePort).to.equal(5000);
    expect(parsed.chunks).to.have.length(1);
    const init = parsed.chunks[0]!.chunk;
    if (init.type !== 1) throw new Error('expected INIT');
    expect(init.initiateTag).to.equal(0x55b964a5);
    expect(init.aRwnd).to.equal(0x20000);
    expect(init.outboundStreams).to.equal(1024);
    expect(init.inboundStreams).to.equal(2048);
    expect(init.initialTsn).to.equal(0xe86d1030);
    const again = serializePacket(parsed, [init]);
    expect(again.toString('hex')).to.equal(hex);
    pkt[20] ^= 1;
    expect(verifyChecksum(pkt)).to.equal(false);
  });
});
