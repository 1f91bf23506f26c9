/** One complete encoded frame rebuilt from a remote track's RTP. */
export interface ReceivedFrame {
  /**
   * The bitstream as a decoder or muxer takes it: H.264 as an Annex B access unit (4-byte start
   * codes, SPS/PPS put ahead of an IDR that came without them), VP8/VP9 as a frame, AV1 as a
   * low-overhead temporal unit, Opus/G.711 as one packet's payload.
   */
  data: Buffer;
  /**
   * Presentation time in microseconds from the RTP clock, relative to the first frame this reader
   * delivered (RFC 3550 §5.1: the RTP timestamp, unwrapped past 2^32, divided by the clock rate).
   */
  timestamp: number;
  /** The RTP timestamp of the frame's packets, as sent. */
  rtpTimestamp: number;
  /** Independently decodable (what the depayloader read from the payload descriptor / bitstream). */
  keyframe: boolean;
  /** The negotiated codec's mimeType, e.g. 'video/VP8', 'video/H264', 'audio/opus'. */
  codec: string;
  /** The codec's RTP clock rate (90000 for video, 48000 for Opus). */
  clockRate: number;
  payloadType: number;
  ssrc: number;
}

/** What the reader counts (see EncodedFrameReader.counters). */
export type FrameReaderCounter =
  /** RTP packets handed to the reader by the track. */
  | 'packets'
  /** Not parseable as RTP (dropped). */
  | 'packetsMalformed'
  /** A payload type the receiver did not negotiate, or one we cannot depayload (dropped). */
  | 'packetsUnknownPayloadType'
  /** Another SSRC while the current one is still sending (e.g. simulcast layers on one track): dropped. */
  | 'packetsOtherSsrc'
  /** RTX / RED / FEC payload types: the RTP session unwraps what it can; the rest is dropped here. */
  | 'packetsRepair'
  /** Sequence numbers the jitter buffer gave up on. */
  | 'packetsLost'
  | 'frames'
  | 'keyframes'
  /** Key-frame requests sent through requestKeyframe(track). */
  | 'keyframeRequests'
  /** Requests held back by the throttle (one is sent when it expires if still needed). */
  | 'keyframeRequestsThrottled'
  /** The payload type changed to another codec, or the SSRC changed: the pipeline was rebuilt. */
  | 'pipelineRebuilds'
  /** Frames dropped because an async iterator's queue was full (the consumer is too slow). */
  | 'framesDroppedQueueFull';

/** The codec of a payload type, as RTCRtpReceiver.getParameters().codecs lists it. */
export interface NegotiatedCodec {
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/** What the reader needs of an RTCRtpReceiver (structural, so tests can pass a plain object). */
export interface CodecParametersSource {
  getParameters(): { codecs: readonly NegotiatedCodec[] };
}
