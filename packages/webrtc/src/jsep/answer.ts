/**
 * createAnswer (RFC 8829 §5.3): one section per offered section, in order.
 * Rejected when the offer rejected it, when the transceiver is stopping, or
 * when no codec matches; otherwise codecs/extensions are intersected with
 * ours and the direction with the transceiver's (RFC 3264 §6.1).
 */
import { isRejected } from './rejected.js';
import {
  findAttribute, findAttributes, getBundleMids, getDirection, getMediaOrSession, getMid, getRtpCodecs, intersectDirection,
  type MediaDescription, type SimulcastAttribute,
} from '@rivulet/sdp';
import type { PeerState } from '../pc/state.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import { answerCodecs, answerExtensions } from './codecNegotiation.js';
import { localTransportAttributes } from './localTransport.js';
import { effectiveCodecPreferences } from './sourceCodec.js';
import { senderParts } from './senderSection.js';
import { buildSession } from './session.js';
import { writeDataSection, writeRejectedSection, writeRtpSection } from './sections.js';

export function buildAnswer(st: PeerState): ReturnType<typeof buildSession> {
  const offer = st.pendingRemote!.sdp;
  // RFC 8842 §5.3: keep an established role; otherwise the reverse of an offered active/passive,
  // and "active" (we are the DTLS client) for actpass.
  const first = offer.media.find((m) => !isRejected(m));
  const offered = first ? getMediaOrSession(first, offer, 'setup')?.role : undefined;
  const setup = st.dtlsRole !== null ? (st.dtlsRole === 'server' ? 'passive' : 'active') : offered === 'active' ? 'passive' : 'active';
  const transport = localTransportAttributes(st, setup);
  const offeredBundle = getBundleMids(offer);
  const media: MediaDescription[] = [];
  const accepted: string[] = [];
  const streamIds = new Set<string>();

  offer.media.forEach((m, i): void => {
    const mid = getMid(m) ?? null;
    const reject = (): void => {
      media.push(writeRejectedSection(m.kind, m.protocol, m.formats, mid));
    };
    if (isRejected(m) || mid === null) return reject();
    if (m.kind === 'application') {
      if (st.dataMLineIndex !== i || !m.protocol.includes('SCTP')) return reject();
      media.push(writeDataSection(mid, transport));
      accepted.push(mid);
      return;
    }
    const t = st.transceivers.find((x) => st.transceiverState(x).mLineIndex === i);
    if (!t || (m.kind !== 'audio' && m.kind !== 'video')) return reject();
    const s = st.transceiverState(t);
    if (s.stopping) return reject();
    const codecs = answerCodecs(s.kind, effectiveCodecPreferences(t, s), getRtpCodecs(m));
    if (codecs.length === 0) return reject();
    const offeredDir = getDirection(m, offer);
    const direction = intersectDirection(offeredDir, s.direction as Exclude<typeof s.direction, 'stopped'>);
    const sends = direction === 'sendrecv' || direction === 'sendonly';
    // RFC 8853 §5.3: answer the offer's simulcast with the reverse direction and the same rids.
    const offeredSim = findAttribute(m.attributes, 'simulcast');
    const remoteSends = offeredSim?.directions.find((d) => d.direction === 'send');
    const remoteRecvs = offeredSim?.directions.find((d) => d.direction === 'recv');
    const recvRids = remoteSends ? remoteSends.streams.map((alts) => alts[0]!.rid) : [];
    const sendRids = remoteRecvs && sends ? remoteRecvs.streams.map((alts) => alts[0]!.rid) : undefined;
    const parts = senderParts(t, sends, codecs, sendRids);
    if (sends) for (const id of senderInternals.state(t.sender).streamIds) streamIds.add(id);
    const rids = [...recvRids.map((id) => ({ id, direction: 'recv' as const })), ...parts.rids];
    let simulcast: SimulcastAttribute | null = parts.simulcast;
    if (remoteSends && findAttributes(m.attributes, 'rid').length > 0) {
      simulcast = { name: 'simulcast', directions: [{ direction: 'recv', streams: remoteSends.streams }] };
    }
    media.push(writeRtpSection({
      kind: s.kind, mid, direction, codecs,
      extensions: answerExtensions(s.kind, findAttributes(m.attributes, 'extmap').map((e) => ({ id: e.id, uri: e.uri }))),
      rtcpRsize: m.attributes.some((a) => a.name === 'rtcp-rsize'),
      transport, ...parts, rids, simulcast,
    }));
    accepted.push(mid);
  });
  const bundle = offeredBundle.length > 0 ? offeredBundle.filter((mid) => accepted.includes(mid)) : [];
  return buildSession(st, media, bundle, [...streamIds]);
}
