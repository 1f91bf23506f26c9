import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { peerExtensions, zeroChecksumAcceptableParam } from '../src/chunks/init.js';
import { ChunkType, type InitChunk } from '../src/chunks/types.js';
import { sctpChecksum } from '../src/crc32c.js';
import { parsePacket } from '../src/packet.js';
import { createPair, run } from './helpers/link.js';

interface Seen {
  types: (number | string)[];
  checksum: number;
  crcValid: boolean;
}

function look(x: Buffer): Seen {
  const copy = Buffer.from(x);
  copy.writeUInt32LE(0, 8);
  return { types: parsePacket(x).chunks.map((c) => c.chunk.type), checksum: x.readUInt32LE(8), crcValid: x.readUInt32LE(8) === sctpChecksum(copy) };
}


describe('RFC 9653 zero checksum over DTLS', () => {
  it('encodes the Zero Checksum Acceptable parameter (type 0x8001, EDMID 1 = DTLS) and reads it back', () => {
    const p = zeroChecksumAcceptableParam();
    expect(p.type).to.equal(0x8001);
    expect(p.value.toString('hex')).to.equal('00000001');
    const init = (params: InitChunk['params']): InitChunk => ({ type: 1, initiateTag: 1, aRwnd: 1500, outboundStreams: 1, inboundStreams: 1, initialTsn: 1, params });
    expect(peerExtensions(init([p])).zeroChecksum).to.equal(true);
    expect(peerExtensions(init([zeroChecksumAcceptableParam(2)])).zeroChecksum).to.equal(false); // another method is not DTLS
    expect(peerExtensions(init([])).zeroChecksum).to.equal(false);
  });

  for (const on of [true, false]) {
    it(`handshake keeps CRC-32c; DATA and SACK packets carry ${on ? 'a zero checksum when both sides announce it' : 'CRC-32c with zeroChecksum: false'}`, () => {
      const clock = new FakeClock();
      const { a, b, ab, ba } = createPair(clock, { minDelayMs: 1, maxDelayMs: 1 }, { zeroChecksum: on });
      const seen: Seen[] = [];
      ab.tap = (x) => seen.push(look(x));
      ba.tap = (x) => seen.push(look(x));
      a.start();
      run(clock, () => a.state === 'established' && b.state === 'established', 2000);
      expect(a.zeroChecksum).to.equal(on);
      expect(b.zeroChecksum).to.equal(on);
      let received = 0;
      b.on('message', (_s, _p, d) => (received += d.length));
      for (let i = 0; i < 20; i++) a.sendMessage(1, 53, Buffer.alloc(5000, i));
      run(clock, () => received === 100_000, 5000);
      const handshake = seen.filter((s) => s.types.some((t) => t === ChunkType.INIT || t === ChunkType.INIT_ACK || t === ChunkType.COOKIE_ECHO || t === ChunkType.COOKIE_ACK));
      expect(handshake.map((s) => s.types[0])).to.deep.equal([ChunkType.INIT, ChunkType.INIT_ACK, ChunkType.COOKIE_ECHO, ChunkType.COOKIE_ACK]);
      expect(handshake.every((s) => s.crcValid && s.checksum !== 0)).to.equal(true);
      const traffic = seen.filter((s) => s.types.every((t) => t === ChunkType.DATA || t === ChunkType.SACK));
      expect(traffic.length).to.be.greaterThan(90);
      if (on) expect(traffic.every((s) => s.checksum === 0)).to.equal(true);
      else expect(traffic.every((s) => s.crcValid && s.checksum !== 0)).to.equal(true);
      expect(a.drops.toJSON()).to.deep.equal({});
      expect(b.drops.toJSON()).to.deep.equal({});
    });
  }

  it('drops a packet with a wrong non-zero checksum, and a zero checksum when we did not announce it', () => {
    for (const on of [true, false]) {
      const clock = new FakeClock();
      const { a, b, ab } = createPair(clock, { minDelayMs: 1, maxDelayMs: 1 }, { zeroChecksum: on });
      a.start();
      run(clock, () => a.state === 'established' && b.state === 'established', 2000);
      let packet: Buffer | undefined;
      ab.tap = (x) => (packet ??= Buffer.from(x));
      let got = 0;
      b.on('message', () => got++);
      a.sendMessage(1, 53, Buffer.from('x'));
      run(clock, () => got === 1, 2000);
      const good = Buffer.from(packet!);
      good.writeUInt32LE(0, 8);
      good.writeUInt32LE(sctpChecksum(good), 8);
      const bad = Buffer.from(good);
      bad.writeUInt32LE((good.readUInt32LE(8) ^ 1) >>> 0, 8);
      const zero = Buffer.from(good);
      zero.writeUInt32LE(0, 8);
      const before = b.drops.get('badChecksum');
      b.handlePacket(bad);
      expect(b.drops.get('badChecksum')).to.equal(before + 1);
      b.handlePacket(zero); // a duplicate of a delivered TSN: accepted only when zero checksums are
      expect(b.drops.get('badChecksum')).to.equal(before + (on ? 1 : 2));
      expect(got).to.equal(1);
    }
  });
});
