/** One encoded frame as an encoder (here: ffmpeg) hands it out. */
export interface EncodedFrame {
  kind: 'video' | 'audio';
  /** Codec name as in SDP rtpmap: 'H264', 'VP8', 'VP9', 'AV1', 'opus', 'PCMU', 'PCMA'. */
  codec: string;
  /**
   * The frame: H.264 as Annex B (start codes + NAL units, SPS/PPS included on
   * keyframes), VP8/VP9 as a frame, AV1 as a temporal unit of OBUs, Opus as
   * one packet, G.711 as samples.
   */
  data: Buffer;
  /** Presentation time in microseconds from the start of the source. */
  timestampUs: number;
  /** Duration in microseconds (audio: samples / rate; video: 1/frame rate when known). */
  durationUs: number;
  keyframe: boolean;
}
