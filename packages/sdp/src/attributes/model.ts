/**
 * Typed SDP attributes used by WebRTC. Each carries `name` (the attribute
 * name as it appears after `a=`), so the union is discriminated by name.
 * Anything we do not model, or a known attribute whose value is malformed,
 * becomes `UnknownAttribute` holding the text verbatim.
 */

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** a=group:BUNDLE 0 1 (RFC 5888, RFC 9143). */
export interface GroupAttribute { name: 'group'; semantics: string; mids: string[] }
/** a=msid-semantic: WMS id... (RFC 8830 predecessor form; Chromium writes a space after the colon). */
export interface MsidSemanticAttribute { name: 'msid-semantic'; semantic: string; identifiers: string[]; spaceAfterColon: boolean }
/** a=msid:stream [track] (RFC 8830 §2). */
export interface MsidAttribute { name: 'msid'; streamId: string; appData?: string }
export interface MidAttribute { name: 'mid'; mid: string }
export interface DirectionAttribute { name: Direction }
/** Property attributes with no value. */
export interface FlagAttribute {
  name: 'rtcp-mux' | 'rtcp-mux-only' | 'rtcp-rsize' | 'extmap-allow-mixed' | 'ice-lite' | 'end-of-candidates';
}
/** a=rtcp:port [nettype addrtype address] (RFC 3605). */
export interface RtcpAttribute { name: 'rtcp'; port: number; netType?: string; addrType?: string; address?: string }
/** a=rtpmap:pt name/clock[/channels] (RFC 8866 §6.6). */
export interface RtpmapAttribute { name: 'rtpmap'; payloadType: number; encodingName: string; clockRate: number; channels?: number }
/** a=fmtp:pt params (RFC 8866 §6.15). `parameters` is kept as written; see parseFmtpParameters. */
export interface FmtpAttribute { name: 'fmtp'; payloadType: number; parameters: string }
/** a=rtcp-fb:pt|* type [subtype] (RFC 4585 §4.2). */
export interface RtcpFbAttribute { name: 'rtcp-fb'; payloadType: number | '*'; type: string; parameter?: string }
/** a=extmap:id[/direction] uri [attributes] (RFC 8285 §8). */
export interface ExtmapAttribute { name: 'extmap'; id: number; direction?: Direction; uri: string; extensionAttributes?: string }
/** a=ssrc:ssrc attribute[:value] (RFC 5576 §4.1). */
export interface SsrcAttribute { name: 'ssrc'; ssrc: number; attribute: string; value?: string }
/** a=ssrc-group:FID|SIM ssrc... (RFC 5576 §4.2). */
export interface SsrcGroupAttribute { name: 'ssrc-group'; semantics: string; ssrcs: number[] }
/** a=rid:id send|recv [params] (RFC 8851 §4). `params` kept as written, e.g. "pt=96;max-width=1280". */
export interface RidAttribute { name: 'rid'; id: string; direction: 'send' | 'recv'; params?: string }
/** One simulcast stream alternative; `paused` is the `~` prefix (RFC 8853 §5.1). */
export interface SimulcastStream { rid: string; paused: boolean }
/** a=simulcast:send 1;2,3 recv 4 (RFC 8853 §5.1). Each list entry is one stream with its alternatives. */
export interface SimulcastAttribute {
  name: 'simulcast';
  directions: { direction: 'send' | 'recv'; streams: SimulcastStream[][] }[];
}
export interface IceUfragAttribute { name: 'ice-ufrag'; ufrag: string }
export interface IcePwdAttribute { name: 'ice-pwd'; password: string }
export interface IceOptionsAttribute { name: 'ice-options'; options: string[] }
/** a=candidate:... (RFC 8839 §5.1). */
export interface CandidateAttribute {
  name: 'candidate';
  foundation: string;
  component: number;
  transport: string;
  priority: number;
  address: string;
  port: number;
  type: string;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: string;
  /** Extension name/value pairs after the standard fields, in order (generation, ufrag, network-id...). */
  extensions: [string, string][];
}
/** a=fingerprint:sha-256 AB:CD... (RFC 8122 §5). */
export interface FingerprintAttribute { name: 'fingerprint'; algorithm: string; value: string }
/** a=setup:actpass|active|passive|holdconn (RFC 4145 §4, RFC 8842). */
export interface SetupAttribute { name: 'setup'; role: 'actpass' | 'active' | 'passive' | 'holdconn' }
/** a=sctp-port:5000 (RFC 8841 §5.2). */
export interface SctpPortAttribute { name: 'sctp-port'; port: number }
/** a=max-message-size:262144 (RFC 8841 §6). */
export interface MaxMessageSizeAttribute { name: 'max-message-size'; size: number }
/** One xr-format of a=rtcp-xr, split at its first '=': "rcvr-rtt=all:1000" → { name: 'rcvr-rtt', value: 'all:1000' }. */
export interface RtcpXrFormat { name: string; value?: string }
/** a=rtcp-xr[:xr-format *(SP xr-format)] (RFC 3611 §5.1 with errata 3795); no formats = the bare attribute. */
export interface RtcpXrAttribute { name: 'rtcp-xr'; formats: RtcpXrFormat[] }
/** Anything else, verbatim. `value` undefined means no colon was present. */
export interface UnknownAttribute { name: string; value?: string; unknown: true }

export type KnownAttribute =
  | GroupAttribute | MsidSemanticAttribute | MsidAttribute | MidAttribute | DirectionAttribute | FlagAttribute
  | RtcpAttribute | RtpmapAttribute | FmtpAttribute | RtcpFbAttribute | ExtmapAttribute | SsrcAttribute
  | SsrcGroupAttribute | RidAttribute | SimulcastAttribute | IceUfragAttribute | IcePwdAttribute
  | IceOptionsAttribute | CandidateAttribute | FingerprintAttribute | SetupAttribute | SctpPortAttribute
  | MaxMessageSizeAttribute | RtcpXrAttribute;

export type Attribute = KnownAttribute | UnknownAttribute;

export type KnownAttributeName = KnownAttribute['name'];

/** The typed attribute for a name, e.g. AttributeOf<'rtpmap'> = RtpmapAttribute. */
export type AttributeOf<N extends KnownAttributeName> = Extract<KnownAttribute, { name: N }>;

export const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
export const FLAG_NAMES: readonly FlagAttribute['name'][] = [
  'rtcp-mux', 'rtcp-mux-only', 'rtcp-rsize', 'extmap-allow-mixed', 'ice-lite', 'end-of-candidates',
];

export function isUnknown(a: Attribute): a is UnknownAttribute {
  return (a as UnknownAttribute).unknown === true;
}
