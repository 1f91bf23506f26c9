import { execFileSync, spawnSync } from 'node:child_process';
import { H264AccessUnitSplitter, IvfReader, OggOpusReader, RtpPacket, createPayloader, joinAnnexB } from '@rivulet/rtp';

/** One encoded frame as the sender had it, and its RTP timestamp. */
export interface SourceFrame { data: Buffer; keyframe: boolean; rtpTimestamp: number }

/**
 * Real encoded media made by ffmpeg in the test (no fixtures): `seconds` of 320x240 testsrc2 at
 * 30 fps, one key frame every 30 frames, no B-frames; or a 440 Hz Opus sine in 20 ms packets.
 */
export function encode(ffmpeg: string, codec: 'VP8' | 'H264' | 'opus', seconds: number): SourceFrame[] {
  const common = ['-hide_banner', '-loglevel', 'error'];
  if (codec === 'opus') {
    const ogg = execFileSync(ffmpeg, [...common, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-f', 'ogg', '-'], { maxBuffer: 64 << 20 });
    const packets = new OggOpusReader().push(ogg);
    let ts = 5000;
    return packets.map((p) => {
      const f = { data: p.data, keyframe: true, rtpTimestamp: ts };
      ts += p.samples;
      return f;
    });
  }
  const input = ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30`, '-t', String(seconds)];
  if (codec === 'VP8') {
    const ivf = execFileSync(ffmpeg, [...common, ...input, '-c:v', 'libvpx', '-b:v', '300k', '-g', '30', '-deadline', 'realtime', '-cpu-used', '8', '-f', 'ivf', '-'], { maxBuffer: 64 << 20 });
    return new IvfReader().push(ivf).map((f, i) => ({ data: f.data, keyframe: (f.data[0]! & 1) === 0, rtpTimestamp: 90_000 + i * 3000 }));
  }
  const h264 = execFileSync(ffmpeg, [...common, ...input, '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '30', '-bf', '0', '-f', 'h264', '-'], { maxBuffer: 64 << 20 });
  const s = new H264AccessUnitSplitter();
  return [...s.push(h264), ...s.flush()].map((au, i) => ({ data: joinAnnexB(au.nalUnits), keyframe: au.keyframe, rtpTimestamp: 90_000 + i * 3000 }));
}

/** The RTP packets a sender would put on the wire for these frames (our payloaders, MTU 1200). */
export function packetize(frames: SourceFrame[], codec: 'VP8' | 'H264' | 'opus', payloadType: number, ssrc = 0x1234abcd): Buffer[] {
  const payloader = createPayloader(codec);
  let seq = 65000;
  const out: Buffer[] = [];
  for (const f of frames) {
    for (const p of payloader.payload(f.data)) {
      out.push(new RtpPacket({ payloadType, sequenceNumber: seq++ & 0xffff, timestamp: f.rtpTimestamp >>> 0, ssrc, marker: p.marker, payload: p.payload }).serialize());
    }
  }
  return out;
}

/** ffprobe's view of a file's first stream: codec, size, frames counted by decoding, duration. */
export function probe(ffprobe: string, file: string): { codec: string; width: number; height: number; frames: number; duration: number } {
  const json = execFileSync(ffprobe, ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames:format=duration', '-of', 'json', file]).toString();
  const parsed = JSON.parse(json) as { streams: { codec_name: string; width?: number; height?: number; nb_read_frames?: string }[]; format: { duration?: string } };
  const s = parsed.streams[0]!;
  return { codec: s.codec_name, width: s.width ?? 0, height: s.height ?? 0, frames: Number(s.nb_read_frames ?? 0), duration: Number(parsed.format.duration ?? 0) };
}

/** Decodes a file fully; returns ffmpeg's error output (empty when every frame decoded cleanly). */
export function decodeErrors(ffmpeg: string, file: string): string {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'], { encoding: 'utf8' });
  return (r.status === 0 ? '' : `exit ${r.status}: `) + r.stderr;
}
