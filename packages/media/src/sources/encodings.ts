/**
 * What ffmpeg writes for the peer connection: one elementary stream per
 * output pipe, in a framing our container readers split into frames.
 * H.264 → Annex B with access-unit delimiters; VP8/VP9/AV1 → IVF;
 * Opus → Ogg; G.711 → raw 8 kHz samples.
 */
export type VideoCodecName = 'H264' | 'VP8' | 'VP9' | 'AV1';
export type AudioCodecName = 'opus' | 'PCMU' | 'PCMA';

export interface VideoEncoding {
  codec: VideoCodecName;
  /** Target bitrate, bits/s (default 1.5 Mbit/s). */
  bitrate?: number;
  /** Frames between keyframes (default 2 s worth). */
  keyframeInterval?: number;
  /** Frame rate the encoder assumes for timestamps (default 30). */
  frameRate?: number;
  /** H.264 only: copy the input's H.264 without transcoding (cameras that encode themselves). */
  passthrough?: boolean;
}

export interface AudioEncoding {
  codec: AudioCodecName;
  /** Opus bitrate, bits/s (default 64 kbit/s). */
  bitrate?: number;
}

/** The container each codec is carried in on the pipe. */
export function containerOf(codec: VideoCodecName | AudioCodecName): 'annexb' | 'ivf' | 'ogg' | 'g711' {
  switch (codec) {
    case 'H264':
      return 'annexb';
    case 'VP8':
    case 'VP9':
    case 'AV1':
      return 'ivf';
    case 'opus':
      return 'ogg';
    case 'PCMU':
    case 'PCMA':
      return 'g711';
  }
}

export function videoOutputArgs(enc: VideoEncoding, inputIndex: number, fd: number): string[] {
  const fps = enc.frameRate ?? 30;
  const gop = enc.keyframeInterval ?? fps * 2;
  const bitrate = enc.bitrate ?? 1_500_000;
  const map = ['-map', `${inputIndex}:v:0`, '-an'];
  const pipe = `pipe:${fd}`;
  switch (enc.codec) {
    case 'H264':
      if (enc.passthrough) {
        // No transcoding: convert to Annex B; repeat the stream's parameter sets (extradata) before every
        // keyframe, because a camera may signal SPS/PPS only out of band (RTSP sprop-parameter-sets,
        // RFC 6184 §8.1; MP4 avcC) and a browser joining at a keyframe needs them in band; then mark
        // access units so the splitter finds frame boundaries. Duplicates are removed by the frame reader.
        return [
          ...map, '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb,dump_extra=freq=keyframe,h264_metadata=aud=insert', '-f', 'h264', pipe,
        ];
      }
      return [
        ...map,
        // Annex B carries no timestamps, so frames are timed by count at `fps`: make the output exactly
        // that rate (frames repeated or dropped), whatever the input's rate — a 25 fps camera counted at
        // 30 would run its video clock 1/6 slow against real time and its own audio.
        '-vf', `fps=${fps}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
        // Constrained Baseline 3.1 (profile-level-id 42e01f) is what every browser decodes.
        '-profile:v', 'baseline', '-level:v', '3.1', '-pix_fmt', 'yuv420p',
        '-b:v', String(bitrate), '-maxrate', String(bitrate), '-bufsize', String(bitrate),
        '-g', String(gop), '-keyint_min', String(gop), '-bf', '0',
        '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', pipe,
      ];
    case 'VP8':
      return [
        ...map,
        '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0',
        '-b:v', String(bitrate), '-g', String(gop), '-auto-alt-ref', '0', '-error-resilient', '1',
        '-f', 'ivf', pipe,
      ];
    case 'VP9':
      return [
        ...map,
        '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-row-mt', '1',
        '-b:v', String(bitrate), '-g', String(gop), '-f', 'ivf', pipe,
      ];
    case 'AV1':
      return [
        ...map,
        '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '10', '-lag-in-frames', '0',
        '-b:v', String(bitrate), '-g', String(gop), '-f', 'ivf', pipe,
      ];
  }
}

export function audioOutputArgs(enc: AudioEncoding, inputIndex: number, fd: number): string[] {
  const map = ['-map', `${inputIndex}:a:0`, '-vn'];
  const pipe = `pipe:${fd}`;
  switch (enc.codec) {
    case 'opus':
      return [
        ...map,
        '-c:a', 'libopus', '-b:a', String(enc.bitrate ?? 64_000), '-application', 'lowdelay',
        '-frame_duration', '20', '-ar', '48000', '-ac', '2', '-page_duration', '20000', '-f', 'ogg', pipe,
      ];
    case 'PCMU':
      return [...map, '-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1', '-f', 'mulaw', pipe];
    case 'PCMA':
      return [...map, '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'alaw', pipe];
  }
}
