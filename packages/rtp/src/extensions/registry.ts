import type { RtpPacket } from '../rtp/rtpPacket.js';
import type { RtpExtensionCodec } from './codec.js';
import { RtpExtensionUri } from './uris.js';
import { sdesStringCodec } from './sdesString.js';
import { absSendTimeCodec } from './absSendTime.js';
import { transportSequenceNumberCodec } from './transportSequence.js';
import { type AudioLevel, audioLevelCodec } from './audioLevel.js';
import { type VideoOrientation, videoOrientationCodec } from './videoOrientation.js';
import { type PlayoutDelay, playoutDelayCodec } from './playoutDelay.js';
import { type DependencyDescriptor, parseDependencyDescriptor, serializeDependencyDescriptor } from './dependencyDescriptor.js';

/** The value type of each known extension URI. */
export interface RtpExtensionValues {
  'urn:ietf:params:rtp-hdrext:sdes:mid': string;
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id': string;
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id': string;
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': number;
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01': number;
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level': AudioLevel;
  'urn:3gpp:video-orientation': VideoOrientation;
  'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay': PlayoutDelay;
  'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension': DependencyDescriptor;
}

export type RtpExtensionName = keyof RtpExtensionValues;

/** DD without a known structure: values that need one fail to parse (use parseDependencyDescriptor directly). */
const dependencyDescriptorCodec: RtpExtensionCodec<DependencyDescriptor> = {
  parse: (d) => parseDependencyDescriptor(d),
  serialize: (v) => serializeDependencyDescriptor(v),
};

export const rtpExtensionCodecs: { [U in RtpExtensionName]: RtpExtensionCodec<RtpExtensionValues[U]> } = {
  [RtpExtensionUri.mid]: sdesStringCodec,
  [RtpExtensionUri.rid]: sdesStringCodec,
  [RtpExtensionUri.repairedRid]: sdesStringCodec,
  [RtpExtensionUri.absSendTime]: absSendTimeCodec,
  [RtpExtensionUri.transportCc]: transportSequenceNumberCodec,
  [RtpExtensionUri.audioLevel]: audioLevelCodec,
  [RtpExtensionUri.videoOrientation]: videoOrientationCodec,
  [RtpExtensionUri.playoutDelay]: playoutDelayCodec,
  [RtpExtensionUri.dependencyDescriptor]: dependencyDescriptorCodec,
};

/**
 * The negotiated a=extmap mapping (RFC 8285 §5) of one RTP session: local ids
 * 1..255 to URIs, with typed read/write of the known extensions.
 */
export class RtpExtensionRegistry {
  private readonly byId = new Map<number, string>();
  private readonly byUri = new Map<string, number>();

  constructor(entries: Iterable<readonly [number, string]> | Record<number, string> = []) {
    const list = Symbol.iterator in entries ? (entries as Iterable<readonly [number, string]>) : Object.entries(entries).map(([k, v]) => [Number(k), v] as const);
    for (const [id, uri] of list) this.register(id, uri);
  }

  /** Maps `id` to `uri`; throws on an invalid id or a conflicting mapping. */
  register(id: number, uri: string): void {
    if (!Number.isInteger(id) || id < 1 || id > 255) throw new Error(`extmap id must be 1..255, got ${id}`);
    const had = this.byId.get(id);
    if (had !== undefined && had !== uri) throw new Error(`extmap id ${id} is already ${had}, cannot map it to ${uri}`);
    const hadId = this.byUri.get(uri);
    if (hadId !== undefined && hadId !== id) throw new Error(`extmap ${uri} already has id ${hadId}, cannot also use ${id}`);
    this.byId.set(id, uri);
    this.byUri.set(uri, id);
  }

  idOf(uri: string): number | undefined {
    return this.byUri.get(uri);
  }

  uriOf(id: number): string | undefined {
    return this.byId.get(id);
  }

  entries(): Array<[number, string]> {
    return [...this.byId.entries()];
  }

  /**
   * Reads a known extension from a packet: undefined when it is not mapped or
   * absent; throws ParseError when the value is malformed (see tryRead).
   */
  read<U extends RtpExtensionName>(packet: RtpPacket, uri: U): RtpExtensionValues[U] | undefined {
    const id = this.byUri.get(uri);
    if (id === undefined) return undefined;
    const data = packet.getExtension(id);
    if (data === undefined) return undefined;
    return rtpExtensionCodecs[uri].parse(data);
  }

  /** Like read, but a malformed value gives undefined instead of throwing. */
  tryRead<U extends RtpExtensionName>(packet: RtpPacket, uri: U): RtpExtensionValues[U] | undefined {
    try {
      return this.read(packet, uri);
    } catch {
      return undefined;
    }
  }

  /** Writes a known extension into a packet; throws when the URI is not mapped. */
  write<U extends RtpExtensionName>(packet: RtpPacket, uri: U, value: RtpExtensionValues[U]): void {
    const id = this.byUri.get(uri);
    if (id === undefined) throw new Error(`extension ${uri} has no negotiated extmap id`);
    packet.setExtension(id, rtpExtensionCodecs[uri].serialize(value));
  }

  /** Serializes a known extension value to bytes for the raw SFU path (setRtpHeaderExtension). */
  encode<U extends RtpExtensionName>(uri: U, value: RtpExtensionValues[U]): { id: number; data: Buffer } {
    const id = this.byUri.get(uri);
    if (id === undefined) throw new Error(`extension ${uri} has no negotiated extmap id`);
    return { id, data: rtpExtensionCodecs[uri].serialize(value) };
  }
}
