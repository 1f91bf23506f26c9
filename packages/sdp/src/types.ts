/**
 * The SDP model (RFC 8866 §5). Session and media descriptions keep their
 * attributes as ONE ordered list of typed entries, so the order a peer wrote
 * them in (and anything we do not understand) survives a round trip: the
 * serializer writes the list back as it is.
 */
import type { Attribute } from './attributes/model.js';

export type { Attribute } from './attributes/model.js';

/** o= (RFC 8866 §5.2). sessionId/sessionVersion are decimal strings: they exceed 2^53. */
export interface Origin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** c= (RFC 8866 §5.7). */
export interface Connection {
  netType: string;
  addrType: string;
  address: string;
}

/** b= (RFC 8866 §5.8), e.g. AS, TIAS, CT. */
export interface Bandwidth {
  type: string;
  value: number;
}

/** t= plus its r= lines (RFC 8866 §5.9, §5.10). Times are decimal strings (NTP seconds). */
export interface Timing {
  start: string;
  stop: string;
  repeats: string[];
}

/** m= (RFC 8866 §5.14) with its section lines. */
export interface MediaDescription {
  /** audio | video | application | text | message ... */
  kind: string;
  port: number;
  numberOfPorts?: number;
  /** e.g. UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP. */
  protocol: string;
  /** Payload types (RTP) or other format tokens, as written. */
  formats: string[];
  information?: string;
  connections: Connection[];
  bandwidths: Bandwidth[];
  key?: string;
  attributes: Attribute[];
}

export interface SessionDescription {
  version: number;
  origin: Origin;
  sessionName: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: Connection;
  bandwidths: Bandwidth[];
  timings: Timing[];
  /** z= line value, kept as written. */
  timeZones?: string;
  key?: string;
  attributes: Attribute[];
  media: MediaDescription[];
}

/** Thrown by parseSdp for text that is not SDP; says which line and why. */
export class SdpParseError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number,
    readonly line: string,
  ) {
    super(`SDP line ${lineNumber} (${JSON.stringify(line.length > 80 ? line.slice(0, 80) + '…' : line)}): ${message}`);
    this.name = 'SdpParseError';
  }
}
