import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { DataChunk } from '../src/chunks/types.js';
import { PIECE_OVERHEAD, Reassembly } from '../src/reassembly.js';
import { serializePacket } from '../src/packet.js';
import { createPair, run } from './helpers/link.js';

function frag(tsn: number, streamId: number, ssn: number, b: boolean, e: boolean, text: string, unordered = false): DataChunk {
  return { type: 0, unordered, beginning: b, ending: e, immediate: false, tsn, streamId, ssn, ppid: 51, userData: Buffer.from(text) };
}

describe('Reassembly (RFC 9260 §6.5, §6.6, §6.9; RFC 3758 §3.6)', () => {
  it('reassembles out-of-order fragments, delivers per-stream in SSN order, and returns its buffer to zero', () => {
    const out: string[] = [];
    const r = new Reassembly((s, _p, d) => out.push(`${s}:${d.toString()}`));
    r.add(frag(12, 1, 1, false, true, 'C')); // second message of stream 1, last fragment
    r.add(frag(10, 1, 0, true, false, 'A'));
    r.add(frag(13, 2, 0, true, true, 'X')); // other stream: not blocked
    r.add(frag(11, 1, 1, true, false, 'B')); // completes SSN 1, still waits for SSN 0's end
    expect(out).to.deep.equal(['2:X']);
    // Held: fragment A of SSN 0, and the complete message BC waiting for SSN 0.
    expect(r.bytesBuffered).to.equal(1 + PIECE_OVERHEAD + (2 + PIECE_OVERHEAD));
    r.add(frag(14, 1, 0, false, true, 'a')); // TSN 14 is not adjacent to 10: no message
    expect(out).to.deep.equal(['2:X']);
    r.forward(14, [{ streamId: 1, ssn: 0 }]); // abandon SSN 0 of stream 1 → SSN 1 (BC) comes out
    expect(out).to.deep.equal(['2:X', '1:BC']);
    expect(r.bytesBuffered).to.equal(0);
  });

  it('delivers a reassembled message in a Buffer spanning its own ArrayBuffer, a single-chunk one as a view', () => {
    const out: Buffer[] = [];
    const r = new Reassembly((_s, _p, d) => out.push(d));
    const packet = Buffer.from('....AB....CD');
    const part = (tsn: number, ssn: number, b: boolean, e: boolean, at: number): DataChunk => ({
      type: 0, unordered: false, beginning: b, ending: e, immediate: false, tsn, streamId: 0, ssn, ppid: 53, userData: packet.subarray(at, at + 2),
    });
    r.add(part(1, 0, true, false, 4));
    r.add(part(2, 0, false, true, 10));
    r.add(part(3, 1, true, true, 4));
    r.add(part(4, 2, true, false, 4));
    r.add(part(5, 2, false, true, 10));
    expect(out.map((b) => b.toString())).to.deep.equal(['ABCD', 'AB', 'ABCD']);
    for (const i of [0, 2]) {
      // Small as they are, not slices of Node's shared Buffer pool: the receiver may keep the ArrayBuffer.
      expect(out[i]!.byteOffset).to.equal(0);
      expect(out[i]!.buffer.byteLength).to.equal(4);
    }
    expect(out[0]!.buffer).to.not.equal(out[2]!.buffer);
    // The single-chunk message is a view into the packet (its ArrayBuffer is the packet's).
    expect(out[1]!.buffer).to.equal(packet.buffer);
  });

  it('delivers unordered messages as soon as they are complete', () => {
    const out: string[] = [];
    const r = new Reassembly((_s, _p, d) => out.push(d.toString()));
    r.add(frag(21, 3, 0, false, true, 'lo', true));
    r.add(frag(22, 3, 0, true, true, 'solo', true));
    r.add(frag(20, 3, 0, true, false, 'hel', true));
    expect(out).to.deep.equal(['solo', 'hello']);
    expect(r.bytesBuffered).to.equal(0);
  });

  it('bounds memory against a flood of one-byte fragments that never complete', () => {
    const clock = new FakeClock();
    const { a, b, ab } = createPair(clock, { minDelayMs: 5 }, { receiveWindow: 64 * 1024 });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 2000);
    let tag = 0;
    let tsn = 0;
    ab.tap = (p) => {
      tag = p.readUInt32BE(4);
      if (p[12] === 0) tsn = p.readUInt32BE(16);
    };
    a.sendMessage(0, 51, Buffer.from('seed'));
    run(clock, () => a.stats.flightSize === 0 && tsn !== 0, 2000);
    for (let i = 1; i <= 5000; i++) {
      // B fragments only (no E): nothing ever completes.
      b.handlePacket(serializePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: tag }, [frag((tsn + i) >>> 0, 0, i & 0xffff, true, false, 'z')]));
    }
    const held = Math.floor((64 * 1024) / (1 + PIECE_OVERHEAD));
    expect(b.drops.get('receiveWindowFull')).to.be.within(5000 - held - 1, 5000 - held + 1);
  });
});
