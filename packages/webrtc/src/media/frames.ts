/**
 * The source seam for local tracks (non-standard, documented in
 * docs/api-deviations.md). A track is fed either encoded frames, which each
 * sender payloads itself, or RTP packets, which each sender forwards with its
 * own SSRC, payload type and sequence numbers (SFU passthrough). One source
 * can feed any number of tracks, and one track any number of senders.
 */

/** An encoded media frame, like a WebCodecs EncodedVideoChunk/EncodedAudioChunk. */
export interface EncodedFrame {
  /** The encoded bitstream (e.g. H.264 Annex B access unit, one Opus packet, a VP8 frame). */
  data: Uint8Array;
  /** Presentation time in microseconds; senders convert it to the codec's RTP clock. */
  timestamp: number;
  /** True for an independently decodable frame (IDR / key frame). */
  keyframe?: boolean;
}

/** An RTP packet as raw bytes (the header is parsed by the sender when forwarding). */
export type RtpPacketBytes = Uint8Array;

/** Where a track delivers what its source produces. */
export interface TrackSink {
  frame?(frame: EncodedFrame): void;
  rtp?(packet: RtpPacketBytes): void;
  /** The track was disabled (enabled true → false): nothing more arrives until resumed(). */
  paused?(): void;
  /** The track was re-enabled (enabled false → true): what follows continues after a gap. */
  resumed?(): void;
}
