import { H264AccessUnitSplitter, IvfReader, OggOpusReader, isKeyframe, joinAnnexB } from '@rivulet/rtp';
import type { EncodedFrame } from './encodedFrame.js';
import type { AudioCodecName, VideoCodecName } from './encodings.js';
import { containerOf } from './encodings.js';

/**
 * Turns the bytes of one ffmpeg output pipe into EncodedFrames, using the
 * container readers of @rivulet/rtp. Each reader keeps its own drop counters.
 */
export interface FrameReader {
  push(chunk: Buffer): EncodedFrame[];
  flush(): EncodedFrame[];
}

const G711_FRAME_SAMPLES = 160; // 20 ms at 8 kHz, the RTP/AVP default packetisation (RFC 3551 §4.5)

export function createFrameReader(codec: VideoCodecName | AudioCodecName, frameRate = 30): FrameReader {
  switch (containerOf(codec)) {
    case 'annexb':
      return new AnnexBFrameReader(frameRate);
    case 'ivf':
      return new IvfFrameReader(codec);
    case 'ogg':
      return new OpusFrameReader();
    case 'g711':
      return new G711FrameReader(codec);
  }
}

class AnnexBFrameReader implements FrameReader {
  private readonly splitter = new H264AccessUnitSplitter();
  private index = 0;
  constructor(private readonly frameRate: number) {}

  push(chunk: Buffer): EncodedFrame[] {
    return this.splitter.push(chunk).map((au) => this.frame(au.nalUnits, au.keyframe));
  }

  flush(): EncodedFrame[] {
    return this.splitter.flush().map((au) => this.frame(au.nalUnits, au.keyframe));
  }

  private frame(nalUnits: Buffer[], keyframe: boolean): EncodedFrame {
    // Access unit delimiters only mark boundaries on the pipe; they carry nothing a receiver needs.
    // A parameter set repeated inside one access unit (in band and again from extradata) is sent once.
    const seen: Buffer[] = [];
    const nals = nalUnits.filter((n) => {
      const type = n[0]! & 0x1f;
      if (type === 9) return false;
      if (type !== 7 && type !== 8) return true;
      if (seen.some((s) => s.equals(n))) return false;
      seen.push(n);
      return true;
    });
    const durationUs = 1e6 / this.frameRate;
    return { kind: 'video', codec: 'H264', data: joinAnnexB(nals), timestampUs: this.index++ * durationUs, durationUs, keyframe };
  }
}

class IvfFrameReader implements FrameReader {
  private readonly reader = new IvfReader();
  constructor(private readonly codec: VideoCodecName | AudioCodecName) {}

  push(chunk: Buffer): EncodedFrame[] {
    return this.reader.push(chunk).map((f) => {
      const h = this.reader.header!;
      const unitUs = (1e6 * h.timebaseNumerator) / h.timebaseDenominator;
      return {
        kind: 'video' as const,
        codec: this.codec,
        data: f.data,
        timestampUs: f.pts * unitUs,
        durationUs: unitUs,
        keyframe: isKeyframe(this.codec, f.data), // from the bitstream itself
      };
    });
  }

  flush(): EncodedFrame[] {
    return [];
  }
}

class OpusFrameReader implements FrameReader {
  private readonly reader = new OggOpusReader();
  private samples = 0;

  push(chunk: Buffer): EncodedFrame[] {
    return this.reader.push(chunk).map((p) => {
      const n = p.samples || 960;
      const frame: EncodedFrame = {
        kind: 'audio',
        codec: 'opus',
        data: p.data,
        timestampUs: (this.samples * 1e6) / 48000,
        durationUs: (n * 1e6) / 48000,
        keyframe: true,
      };
      this.samples += n;
      return frame;
    });
  }

  flush(): EncodedFrame[] {
    return [];
  }
}

class G711FrameReader implements FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private samples = 0;
  constructor(private readonly codec: string) {}

  push(chunk: Buffer): EncodedFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: EncodedFrame[] = [];
    while (this.pending.length >= G711_FRAME_SAMPLES) {
      out.push(this.frame(this.pending.subarray(0, G711_FRAME_SAMPLES)));
      this.pending = this.pending.subarray(G711_FRAME_SAMPLES);
    }
    return out;
  }

  flush(): EncodedFrame[] {
    if (this.pending.length === 0) return [];
    const last = this.frame(this.pending);
    this.pending = Buffer.alloc(0);
    return [last];
  }

  private frame(data: Buffer): EncodedFrame {
    const f: EncodedFrame = {
      kind: 'audio',
      codec: this.codec,
      data: Buffer.from(data),
      timestampUs: (this.samples * 1e6) / 8000,
      durationUs: (data.length * 1e6) / 8000,
      keyframe: true,
    };
    this.samples += data.length;
    return f;
  }
}
