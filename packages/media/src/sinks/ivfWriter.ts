import { parseVp9FrameHeader } from '@rivulet/rtp';

/**
 * IVF (the libvpx test container: a 32-byte "DKIF" file header, then per frame a 12-byte header of
 * size u32le and pts u64le) written with a 1/90000 time base, so frame timestamps are exactly the
 * RTP clock (RFC 3550 §5.1, 90 kHz for video, RFC 7741 §4.1 / RFC 6184 §5.1). It carries VP8
 * ('VP80'), VP9 ('VP90'), AV1 ('AV01') and, for ffmpeg's IVF demuxer which maps the fourcc through
 * its BMP tag table, H.264 Annex B access units ('H264'), so one timed input format serves every
 * video codec we record without transcoding.
 */
export const IVF_FOURCC: Readonly<Record<string, string>> = { vp8: 'VP80', vp9: 'VP90', av1: 'AV01', h264: 'H264' };

export function ivfFileHeader(fourcc: string, width: number, height: number, frameCount = 0): Buffer {
  if (!/^[A-Z0-9]{4}$/.test(fourcc)) throw new RangeError(`ivfFileHeader: fourcc must be 4 characters like 'VP80', got '${fourcc}'`);
  const h = Buffer.alloc(32);
  h.write('DKIF', 0, 'ascii');
  h.writeUInt16LE(0, 4); // version
  h.writeUInt16LE(32, 6); // header size
  h.write(fourcc, 8, 'ascii');
  h.writeUInt16LE(width & 0xffff, 12);
  h.writeUInt16LE(height & 0xffff, 14);
  h.writeUInt32LE(90000, 16); // time base denominator ("rate")
  h.writeUInt32LE(1, 20); // time base numerator ("scale")
  h.writeUInt32LE(frameCount, 24);
  return h;
}

export function ivfFrameHeader(size: number, pts: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(size, 0);
  h.writeBigUInt64LE(BigInt(pts), 4);
  return h;
}

/**
 * The picture size of a key frame when its header says it (VP8: RFC 6386 §9.1, 14-bit width and
 * height after the start code 9d 01 2a; VP9: the uncompressed header). H.264 and AV1 sizes are
 * left to ffmpeg's parsers (0 × 0 in the file header).
 */
export function keyframeSize(codec: string, frame: Buffer): { width: number; height: number } | undefined {
  const c = codec.toLowerCase();
  if (c === 'vp8') {
    if (frame.length < 10 || (frame[0]! & 1) !== 0 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
    return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
  }
  if (c === 'vp9') {
    const h = parseVp9FrameHeader(frame);
    if (h?.width && h.height) return { width: h.width, height: h.height };
  }
  return undefined;
}
