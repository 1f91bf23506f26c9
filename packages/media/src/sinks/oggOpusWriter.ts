/**
 * Ogg pages for an Opus stream (RFC 3533 pages, RFC 7845 Ogg Opus): an OpusHead page, an OpusTags
 * page, then one audio packet per page with its granule position (48 kHz samples, RFC 7845 §4).
 * One packet per page keeps the writer stateless per frame; the overhead (27 + 1 bytes a packet)
 * is small next to a 20 ms Opus packet.
 */
const CRC_TABLE = (() => {
  // RFC 3533 §6: CRC-32 with polynomial 0x04c11db7, no reflection, initial 0, no final xor.
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc(data: Buffer): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc;
}

export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

/** One page holding one whole packet (lacing values: 255s then the remainder, RFC 3533 §6). */
export function oggPage(packet: Buffer, serial: number, sequence: number, granule: bigint, flags: number): Buffer {
  const segments = Math.floor(packet.length / 255) + 1;
  if (segments > 255) throw new RangeError(`oggPage: packet of ${packet.length} bytes does not fit one page (max 65024)`);
  const page = Buffer.alloc(27 + segments + packet.length);
  page.write('OggS', 0, 'ascii');
  page[4] = 0; // version
  page[5] = flags;
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(serial >>> 0, 14);
  page.writeUInt32LE(sequence >>> 0, 18);
  page[26] = segments;
  for (let i = 0; i < segments - 1; i++) page[27 + i] = 255;
  page[27 + segments - 1] = packet.length % 255;
  packet.copy(page, 27 + segments);
  page.writeUInt32LE(oggCrc(page), 22); // computed with the CRC field zero
  return page;
}

/** RFC 7845 §5.1 identification header (mapping family 0: mono or stereo). */
export function opusHead(channels: number, preSkip = 312, inputSampleRate = 48000): Buffer {
  const h = Buffer.alloc(19);
  h.write('OpusHead', 0, 'ascii');
  h[8] = 1; // version
  h[9] = channels;
  h.writeUInt16LE(preSkip, 10);
  h.writeUInt32LE(inputSampleRate, 12);
  h.writeInt16LE(0, 16); // output gain
  h[18] = 0; // channel mapping family
  return h;
}

/** RFC 7845 §5.2 comment header with our vendor string and no comments. */
export function opusTags(vendor = 'rivulet'): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const t = Buffer.alloc(8 + 4 + v.length + 4);
  t.write('OpusTags', 0, 'ascii');
  t.writeUInt32LE(v.length, 8);
  v.copy(t, 12);
  t.writeUInt32LE(0, 12 + v.length);
  return t;
}
