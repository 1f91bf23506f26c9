/**
 * Binds the transport bundle to the W3C objects: creates RTCIceTransport /
 * RTCDtlsTransport / RTCSctpTransport, turns bundle events into icecandidate,
 * state-change and datachannel events, keeps the aggregate states
 * (webrtc-pc §4.3.2-§4.3.4), and starts DTLS and SCTP once negotiated.
 */
import { isRejected } from '../jsep/rejected.js';
import { formatCandidate, getMid, parseCandidate, findAttribute, getMediaOrSession, type CandidateAttribute } from '@rivulet/sdp';
import { RTCDataChannel, RTCDataChannelEvent, dataChannelInternals } from '../datachannel/RTCDataChannel.js';
import { RTCError } from '../base/errors.js';
import { certificateMaterial } from '../rtc/RTCCertificate.js';
import { generateCertificate } from '../rtc/generateCertificate.js';
import { RTCIceCandidate } from '../rtc/RTCIceCandidate.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { TransportBundle } from '../transport/bundle.js';
import { dtlsTransportInternals } from '../transport/RTCDtlsTransport.js';
import { iceTransportInternals } from '../transport/RTCIceTransport.js';
import { sctpTransportInternals } from '../transport/RTCSctpTransport.js';
import { LOCAL_MAX_MESSAGE_SIZE, SCTP_PORT } from '../jsep/sections.js';
import { createDefaultBundle } from '../transport/defaultBundle.js';
import type { PeerCore } from './core.js';
import { RTCPeerConnectionIceEvent } from './events.js';
import { handleIncomingRtcp, handleIncomingRtp, updateMedia } from './media.js';
import type { RTCIceConnectionState, RTCPeerConnectionState } from './state.js';
import { trackDataChannel } from '../stats/dataChannelCounts.js';

/** The certificate (given or generated) and the bundle; created on first need. */
export async function ensureTransport(core: PeerCore): Promise<TransportBundle> {
  const st = core.st;
  if (st.bundle) return st.bundle;
  core.certificateReady ??= (async () => st.config.certificates[0] ?? (await generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' })))();
  const certificate = await core.certificateReady;
  if (st.bundle) return st.bundle;
  st.certificate = certificate;
  const factory = st.config.rivulet.transportFactory ?? createDefaultBundle;
  const bundle = factory({
    certificate: certificateMaterial(certificate), iceServers: st.config.servers, iceTransportPolicy: st.config.iceTransportPolicy,
    clock: core.clock, network: st.config.rivulet.network, interfaceAddresses: st.config.rivulet.interfaceAddresses,
    sctpPlpmtud: st.config.rivulet.sctp?.plpmtud, sctpPeerMaxDatagram: st.config.rivulet.sctp?.peerMaxDatagram,
    localMaxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
  });
  st.bundle = bundle;
  const ice = iceTransportInternals.create(bundle, '0');
  st.iceTransport = ice;
  st.dtlsTransport = dtlsTransportInternals.create(bundle, ice);
  wireBundle(core, bundle);
  return bundle;
}

function firstMid(core: PeerCore): string {
  const d = core.st.pendingLocal ?? core.st.currentLocal;
  const m = d?.sdp.media.find((x) => !isRejected(x));
  return (m && getMid(m)) ?? '0';
}

function addCandidateToDescriptions(core: PeerCore, line: string | null): void {
  for (const d of [core.st.pendingLocal, core.st.currentLocal]) {
    if (!d) continue;
    for (const m of d.sdp.media) {
      if (isRejected(m)) continue;
      if (line === null) {
        if (!m.attributes.some((a) => a.name === 'end-of-candidates')) m.attributes.push({ name: 'end-of-candidates' });
        continue;
      }
      const parsed = parseCandidate(line);
      if (!parsed) continue;
      // Candidates go before the ICE credentials, where our writer puts them.
      const at = m.attributes.findIndex((a) => a.name === 'ice-ufrag');
      m.attributes.splice(at < 0 ? m.attributes.length : at, 0, parsed);
    }
  }
}

function wireBundle(core: PeerCore, bundle: TransportBundle): void {
  const st = core.st;
  bundle.on('candidate', (c: CandidateAttribute) => {
    if (st.closed) return;
    const line = formatCandidate(c);
    st.localCandidates.push(line);
    addCandidateToDescriptions(core, line);
    const candidate = new RTCIceCandidate({
      candidate: `candidate:${line}`, sdpMid: firstMid(core), sdpMLineIndex: 0,
      usernameFragment: bundle.localIceParameters.usernameFragment,
    });
    iceTransportInternals.addLocalCandidate(st.iceTransport!, candidate);
    core.fire(new RTCPeerConnectionIceEvent('icecandidate', { candidate }));
  });
  bundle.on('gatheringstatechange', (state) => {
    if (st.closed) return;
    if (state === 'complete') {
      st.localEndOfCandidates = true;
      addCandidateToDescriptions(core, null);
      // webrtc-pc §5.6.1: an end-of-candidates indication for the transport ("" candidate)...
      core.fire(new RTCPeerConnectionIceEvent('icecandidate', {
        candidate: new RTCIceCandidate({ candidate: '', sdpMid: firstMid(core), sdpMLineIndex: 0, usernameFragment: bundle.localIceParameters.usernameFragment }),
      }));
    }
    iceTransportInternals.setGatheringState(st.iceTransport!, state);
    if (st.iceGatheringState !== state) {
      st.iceGatheringState = state;
      core.fire(new Event('icegatheringstatechange'));
      // ...and once every transport is complete, the null candidate.
      if (state === 'complete') core.fire(new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }));
    }
  });
  bundle.on('icestatechange', (state) => {
    if (st.closed) return;
    iceTransportInternals.setState(st.iceTransport!, state);
    updateAggregateStates(core);
  });
  bundle.on('selectedpairchange', () => {
    if (!st.closed) iceTransportInternals.selectedPairChanged(st.iceTransport!);
  });
  bundle.on('dtlsstatechange', (state, error) => {
    if (st.closed) return;
    dtlsTransportInternals.setState(st.dtlsTransport!, state, error);
    updateAggregateStates(core);
  });
  bundle.on('sctpstatechange', (state) => {
    if (st.closed || !st.sctpTransport) return;
    if (state === 'connected') {
      const remoteMax = bundle.remoteMaxMessageSize;
      // webrtc-pc §6.1.1.1: 0 means "any size"; otherwise the smaller of both sides.
      const max = remoteMax === 0 ? LOCAL_MAX_MESSAGE_SIZE : Math.min(remoteMax, LOCAL_MAX_MESSAGE_SIZE);
      sctpTransportInternals.setLimits(st.sctpTransport, max, bundle.sctpMaxChannels);
    }
    sctpTransportInternals.setState(st.sctpTransport, state);
    if (state === 'closed') {
      // webrtc-pc §6.2 "closed abruptly": the association ended under the channels (peer gone,
      // ABORT): an RTCError sctp-failure, then close.
      for (const dc of [...st.dataChannels]) {
        if (dc.readyState === 'closed') continue;
        dataChannelInternals.closeAbruptly(dc, new RTCError({ errorDetail: 'sctp-failure' }, 'the SCTP association closed'));
      }
    }
  });
  bundle.on('datachannel', (handle) => {
    if (st.closed) return;
    const dc = dataChannelInternals.create(handle.parameters, () => maxMessageSize(core));
    dataChannelInternals.attach(dc, handle);
    st.dataChannels.add(dc);
    trackDataChannel(st, dc); // webrtc-stats dataChannelsOpened/Closed
    dc.addEventListener('close', () => st.dataChannels.delete(dc));
    // §6.2 announce: the datachannel event first, then open on the channel.
    core.fire(new RTCDataChannelEvent('datachannel', { channel: dc }));
    core.queueTask(() => dataChannelInternals.announceOpen(dc));
  });
  bundle.on('rtp', (p) => handleIncomingRtp(core, p));
  bundle.on('rtcp', (p) => handleIncomingRtcp(core, p));
  core.sendRtp = (p) => bundle.sendRtp(p);
  core.sendRtcp = (p) => bundle.sendRtcp(p);
}

export function maxMessageSize(core: PeerCore): number {
  return core.st.sctpTransport?.maxMessageSize ?? LOCAL_MAX_MESSAGE_SIZE;
}

/** webrtc-pc §4.3.3 / §4.3.4 with one ICE and one DTLS transport. */
export function updateAggregateStates(core: PeerCore): void {
  const st = core.st;
  if (st.closed || !st.iceTransport || !st.dtlsTransport) return;
  const ice = st.iceTransport.state;
  const dtls = st.dtlsTransport.state;
  const iceState: RTCIceConnectionState = ice;
  let conn: RTCPeerConnectionState;
  if (ice === 'failed' || dtls === 'failed') conn = 'failed';
  else if (ice === 'disconnected') conn = 'disconnected';
  else if ((ice === 'new' || ice === 'closed') && (dtls === 'new' || dtls === 'closed')) conn = 'new';
  else if (ice === 'new' || ice === 'checking' || dtls === 'new' || dtls === 'connecting') conn = 'connecting';
  else conn = 'connected';
  if (st.iceConnectionState !== iceState) {
    st.iceConnectionState = iceState;
    core.fire(new Event('iceconnectionstatechange'));
  }
  if (st.connectionState !== conn) {
    st.connectionState = conn;
    core.fire(new Event('connectionstatechange'));
  }
}

/** After any applied description: senders/receivers get the DTLS transport (webrtc-pc §4.4.1.6). */
export function attachTransports(core: PeerCore): void {
  const st = core.st;
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    if (s.mid === null || s.stopped) continue;
    senderInternals.state(t.sender).transport = st.dtlsTransport;
    receiverInternals.state(t.receiver).transport = st.dtlsTransport;
  }
  if (st.dataMid !== null && !st.sctpTransport && st.dtlsTransport) {
    st.sctpTransport = sctpTransportInternals.create(st.dtlsTransport);
  }
}

/** Remote ICE parameters and candidates from a remote description (RFC 8839 §5.4, §4.2). */
export function applyRemoteIce(core: PeerCore, type: 'offer' | 'answer' | 'pranswer'): void {
  const st = core.st;
  const remote = (st.pendingRemote ?? st.currentRemote)!.sdp;
  const bundle = st.bundle!;
  const m = remote.media.find((x) => !isRejected(x));
  if (!m) return;
  const ufrag = getMediaOrSession(m, remote, 'ice-ufrag')!.ufrag;
  const pwd = getMediaOrSession(m, remote, 'ice-pwd')!.password;
  const iceLite = remote.attributes.some((a) => a.name === 'ice-lite');
  // The peer restarted ICE (new ufrag in an offer, RFC 8839 §4.4.1.1.1).
  const remoteRestart = type === 'offer' && st.remoteIceUfrag !== null && st.remoteIceUfrag !== ufrag;
  if (st.remoteIceUfrag !== ufrag) {
    st.remoteIceUfrag = ufrag;
    bundle.setRemoteIceParameters({ usernameFragment: ufrag, password: pwd, iceLite });
    iceTransportInternals.setRemoteParameters(st.iceTransport!, { usernameFragment: ufrag, password: pwd });
  }
  for (const sec of remote.media) {
    if (isRejected(sec)) continue;
    const mid = getMid(sec) ?? null;
    for (const a of sec.attributes) {
      if (a.name === 'candidate' && 'foundation' in a) {
        // Renegotiations repeat the candidates: hand each one to ICE once per generation.
        const key = `${ufrag} ${formatCandidate(a)}`;
        if (core.appliedRemoteCandidates.has(key)) continue;
        core.appliedRemoteCandidates.add(key);
        bundle.addRemoteCandidate(a);
        iceTransportInternals.addRemoteCandidate(st.iceTransport!, new RTCIceCandidate({ candidate: `candidate:${formatCandidate(a)}`, sdpMid: mid, sdpMLineIndex: remote.media.indexOf(sec), usernameFragment: ufrag }));
      }
    }
    if (findAttribute(sec.attributes, 'end-of-candidates')) bundle.addRemoteCandidate(null);
    break; // BUNDLE: the first used section carries the transport
  }
  if (remoteRestart && st.pendingIceParameters === null) {
    // RFC 8839 §4.4.1.1.1 / RFC 8829 §5.3.1: an answer to a restarting offer carries new ICE
    // credentials too. Without them the offerer, which dropped our old generation when it
    // restarted, would never check again. The agent keeps the peer's new parameters and candidates.
    st.localCandidates = []; // before restartIce(): it re-signals the bases synchronously
    st.localEndOfCandidates = false;
    st.pendingIceParameters = bundle.restartIce();
  }
}

/** Once stable: DTLS with the negotiated role, SCTP if a data section survived, media on. */
export function finishNegotiation(core: PeerCore, weAnswered: boolean): void {
  const st = core.st;
  const bundle = st.bundle!;
  const local = st.currentLocal!.sdp;
  const remote = st.currentRemote!.sdp;
  const lm = local.media.find((x) => !isRejected(x));
  const rm = remote.media.find((x) => !isRejected(x));
  if (!lm || !rm) {
    updateMedia(core);
    return;
  }
  if (st.dtlsRole === null) {
    // RFC 8842 §5.2/§5.3: "active" is the DTLS client.
    const ourSetup = findAttribute(lm.attributes, 'setup')?.role;
    const theirSetup = getMediaOrSession(rm, remote, 'setup')?.role;
    st.dtlsRole = weAnswered ? (ourSetup === 'passive' ? 'server' : 'client') : theirSetup === 'active' ? 'server' : 'client';
    const fps = remote.media.flatMap((x) => x.attributes).filter((a) => a.name === 'fingerprint' && 'algorithm' in a) as { algorithm: string; value: string }[];
    const session = remote.attributes.filter((a) => a.name === 'fingerprint' && 'algorithm' in a) as { algorithm: string; value: string }[];
    const unique = new Map<string, { algorithm: string; value: string }>();
    for (const f of [...fps, ...session]) unique.set(`${f.algorithm} ${f.value}`, { algorithm: f.algorithm, value: f.value });
    bundle.startDtls(st.dtlsRole, [...unique.values()]);
  }
  const ld = local.media.find((x) => x.kind === 'application' && !isRejected(x));
  const rd = remote.media.find((x) => x.kind === 'application' && !isRejected(x));
  if (ld && rd && !st.sctpStarted) {
    st.sctpStarted = true;
    const remotePort = findAttribute(rd.attributes, 'sctp-port')?.port ?? SCTP_PORT;
    const remoteMax = findAttribute(rd.attributes, 'max-message-size')?.size ?? 65536;
    bundle.startSctp({ localPort: SCTP_PORT, remotePort, remoteMaxMessageSize: remoteMax });
    for (const dc of st.dataChannels) attachChannel(core, dc);
  }
  updateMedia(core);
}

/** Gives a locally created channel its SCTP stream once the association exists. */
export function attachChannel(core: PeerCore, dc: RTCDataChannel): void {
  if (dataChannelInternals.handle(dc) || dc.readyState === 'closed') return;
  const bundle = core.st.bundle!;
  const params = {
    label: dc.label, protocol: dc.protocol, ordered: dc.ordered, maxPacketLifeTime: dc.maxPacketLifeTime,
    maxRetransmits: dc.maxRetransmits, negotiated: dc.negotiated, id: dc.id,
    priority: dc.priority as 'very-low' | 'low' | 'medium' | 'high',
  };
  let handle;
  try {
    handle = bundle.createDataChannel(params);
  } catch (err) {
    // webrtc-pc §6.1.1.2: no usable stream id (e.g. already in use) → error, then close.
    dataChannelInternals.closeAbruptly(dc, new RTCError({ errorDetail: 'data-channel-failure' }, `data channel "${dc.label}": ${(err as Error).message}`));
    return;
  }
  dataChannelInternals.attach(dc, handle);
}
