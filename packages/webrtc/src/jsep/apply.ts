/**
 * Applying a description (webrtc-pc §4.4.1.6 "set the RTCSessionDescription",
 * RFC 8829 §5.10, §5.11): associates transceivers with m-sections, updates
 * directions, collects remote-track events, stops rejected transceivers and
 * moves the signaling state. Transport start-up and media wiring happen in
 * the peer connection after this returns (finishNegotiation).
 */
import { isRejected } from './rejected.js';
import {
  findAttribute, getDirection, getMid, reverseDirection, type Direction, type MediaDescription, type SessionDescription,
} from '@rivulet/sdp';
import { randomSsrc } from '../base/random.js';
import { MAX_SIMULCAST_LAYERS } from '../transceiver/parameters.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { AppliedDescription, OfferSnapshot, PeerState, RTCSignalingState } from '../pc/state.js';
import type { RTCSdpType } from '../rtc/RTCSessionDescription.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { transceiverInternals, type RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';
import {
  processRemoteTrackAddition, processRemoteTrackRemoval, remoteMsids, setAssociatedRemoteStreams, type PendingEvents,
} from './remoteTracks.js';

export interface ApplyHooks {
  /** Creates a recvonly transceiver for an offered m-section nobody claims (JSEP §5.10). */
  createRemoteTransceiver(kind: 'audio' | 'video'): RTCRtpTransceiver;
}

const receives = (d: Direction | null) => d === 'sendrecv' || d === 'recvonly';

export function takeSnapshot(st: PeerState): OfferSnapshot {
  const transceivers = new Map<RTCRtpTransceiver, ReturnType<OfferSnapshot['transceivers']['get']> & object>();
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    transceivers.set(t, {
      mid: s.mid, mLineIndex: s.mLineIndex, firedDirection: s.firedDirection,
      remoteStreamIds: receiverInternals.state(t.receiver).remoteStreams.map((x) => x.id),
    });
  }
  return { transceivers, dataMid: st.dataMid, dataMLineIndex: st.dataMLineIndex };
}

/** After an answer: drop stopped transceivers whose section is rejected (webrtc-pc §4.4.1.6, answer step). */
function removeStoppedTransceivers(st: PeerState): void {
  st.transceivers = st.transceivers.filter((t) => {
    const s = st.transceiverState(t);
    if (!s.stopped || s.mLineIndex === null) return true;
    const local = st.currentLocal?.sdp.media[s.mLineIndex];
    const remote = st.currentRemote?.sdp.media[s.mLineIndex];
    return !((local && isRejected(local)) || (remote && isRejected(remote)));
  });
}

function nextState(source: 'local' | 'remote', type: RTCSdpType): RTCSignalingState {
  if (type === 'offer') return source === 'local' ? 'have-local-offer' : 'have-remote-offer';
  if (type === 'pranswer') return source === 'local' ? 'have-local-pranswer' : 'have-remote-pranswer';
  return 'stable';
}

function setDescriptions(st: PeerState, source: 'local' | 'remote', desc: AppliedDescription): void {
  if (desc.type === 'offer' || desc.type === 'pranswer') {
    if (source === 'local') st.pendingLocal = desc;
    else st.pendingRemote = desc;
    return;
  }
  // answer: §4.4.1.6 — both current descriptions become final, pendings clear.
  if (source === 'local') {
    st.currentLocal = desc;
    st.currentRemote = st.pendingRemote ?? st.currentRemote;
  } else {
    st.currentRemote = desc;
    st.currentLocal = st.pendingLocal ?? st.currentLocal;
  }
  st.pendingLocal = null;
  st.pendingRemote = null;
}

export function applyLocal(st: PeerState, type: RTCSdpType, sdp: SessionDescription, ev: PendingEvents): void {
  if (type === 'offer' && st.signalingState === 'stable') st.offerSnapshot = takeSnapshot(st);
  sdp.media.forEach((m, i) => {
    const mid = getMid(m) ?? null;
    if (m.kind === 'application') {
      if (mid !== null && (st.dataMid === mid || st.dataProposedMid === mid)) {
        st.dataMid = mid;
        st.dataMLineIndex = i;
      }
      return;
    }
    const t = st.transceivers.find((x) => {
      const s = st.transceiverState(x);
      return mid !== null && (s.mid === mid || (s.mid === null && s.proposedMid === mid));
    });
    if (!t) return;
    const s = st.transceiverState(t);
    if (type === 'offer') {
      s.mid = mid;
      s.mLineIndex = i;
      return;
    }
    // answer / pranswer (we answered a remote offer)
    const direction: Direction = isRejected(m) ? 'inactive' : getDirection(m, sdp);
    if (!receives(direction) && receives(s.firedDirection)) {
      processRemoteTrackRemoval(t, ev);
      setAssociatedRemoteStreams(st, t.receiver, [], ev);
    }
    s.currentDirection = direction;
    s.firedDirection = direction;
    if (direction === 'sendrecv' || direction === 'sendonly') s.everSent = true;
    if (isRejected(m) && type === 'answer' && !s.stopped) transceiverInternals.stopTransceiver(t, false);
  });
  setDescriptions(st, 'local', { type, sdp });
  st.signalingState = nextState('local', type);
  if (type === 'answer') {
    st.offerSnapshot = null;
    removeStoppedTransceivers(st);
  }
}

export function applyRemote(st: PeerState, type: RTCSdpType, sdp: SessionDescription, ev: PendingEvents, hooks: ApplyHooks): void {
  if (type === 'offer' && st.signalingState === 'stable') st.offerSnapshot = takeSnapshot(st);
  const claimed = new Set<RTCRtpTransceiver>();
  sdp.media.forEach((m, i) => {
    const mid = getMid(m) ?? null;
    const rejected = isRejected(m);
    if (m.kind === 'application') {
      if (type === 'offer' && !rejected && mid !== null) {
        st.dataMid = mid;
        st.dataMLineIndex = i;
        st.dataProposedMid = null;
      } else if (rejected && st.dataMLineIndex === i && type !== 'offer') {
        st.dataMLineIndex = null;
      }
      return;
    }
    if (m.kind !== 'audio' && m.kind !== 'video') return;
    let t: RTCRtpTransceiver | undefined;
    if (type === 'offer') {
      t = st.transceivers.find((x) => st.transceiverState(x).mid === mid && mid !== null);
      // JSEP §5.10: otherwise the first unassociated addTrack transceiver of the same kind.
      t ??= st.transceivers.find((x) => {
        const s = st.transceiverState(x);
        return !claimed.has(x) && s.mid === null && s.mLineIndex === null && s.kind === m.kind && s.addedByAddTrack && !s.stopping;
      });
      if (!t && rejected) return;
      if (!t) {
        t = hooks.createRemoteTransceiver(m.kind);
        st.transceiverState(t).createdByRemote = true;
      }
      claimed.add(t);
      const s = st.transceiverState(t);
      s.mid = mid;
      s.proposedMid = null;
      s.mLineIndex = i;
    } else {
      t = st.transceivers.find((x) => st.transceiverState(x).mLineIndex === i);
      if (!t) return;
    }
    const s = st.transceiverState(t);
    // Our point of view: we receive what the remote sends.
    const direction: Direction = rejected ? 'inactive' : reverseDirection(getDirection(m, sdp));
    if (receives(direction)) {
      setAssociatedRemoteStreams(st, t.receiver, remoteMsids(m), ev);
      if (!receives(s.firedDirection)) processRemoteTrackAddition(t, ev);
    } else {
      if (receives(s.firedDirection)) processRemoteTrackRemoval(t, ev);
      setAssociatedRemoteStreams(st, t.receiver, [], ev);
    }
    s.firedDirection = direction;
    if (type === 'offer' && !rejected) applyOfferedSimulcastRecv(t, m);
    if (type === 'answer' || type === 'pranswer') {
      s.currentDirection = direction;
      if (direction === 'sendrecv' || direction === 'sendonly') s.everSent = true;
    }
    if (rejected && !s.stopped && (type === 'answer' || type === 'offer')) transceiverInternals.stopTransceiver(t, false);
  });
  setDescriptions(st, 'remote', { type, sdp });
  st.signalingState = nextState('remote', type);
  if (type === 'answer') {
    st.offerSnapshot = null;
    removeStoppedTransceivers(st);
  }
}

/**
 * The remote offers to receive simulcast (a=simulcast:recv, RFC 8853 §5.3): a sender without rids
 * takes the offered rids as its encodings (webrtc-pc §4.4.1.6, "simulcast envelope"), one RTP
 * stream (SSRC) each; paused alternatives start inactive.
 */
function applyOfferedSimulcastRecv(t: RTCRtpTransceiver, m: MediaDescription): void {
  const recv = findAttribute(m.attributes, 'simulcast')?.directions.find((d) => d.direction === 'recv');
  if (!recv || recv.streams.length < 2) return;
  const ss = senderInternals.state(t.sender);
  if (ss.encodings.some((e) => e.rid !== undefined)) return;
  const layers = recv.streams.map((alts) => alts[0]!).slice(0, MAX_SIMULCAST_LAYERS);
  const first = ss.streams[0]!;
  ss.encodings = layers.map((l) => ({ rid: l.rid, active: !l.paused }));
  ss.streams = layers.map((l, i) => (i === 0 ? { ...first, rid: l.rid } : { rid: l.rid, ssrc: randomSsrc(), rtxSsrc: randomSsrc() }));
}

/**
 * Rollback (RFC 8829 §4.1.8.2, webrtc-pc §4.4.1.6): restore associations
 * from the snapshot; transceivers created by the rolled-back remote offer
 * disappear unless addTrack claimed them; remote streams revert.
 */
export function applyRollback(st: PeerState, ev: PendingEvents): void {
  const snap = st.offerSnapshot;
  const wasRemote = st.pendingRemote !== null;
  if (snap) {
    const keep: RTCRtpTransceiver[] = [];
    for (const t of st.transceivers) {
      const s = st.transceiverState(t);
      const before = snap.transceivers.get(t);
      if (!before) {
        if (s.createdByRemote && !s.addedByAddTrack && wasRemote) {
          if (receives(s.firedDirection)) {
            setAssociatedRemoteStreams(st, t.receiver, [], ev);
          }
          transceiverInternals.stopTransceiver(t, true);
          continue;
        }
        s.mid = null;
        s.mLineIndex = null;
        if (receives(s.firedDirection)) {
          processRemoteTrackRemoval(t, ev);
          setAssociatedRemoteStreams(st, t.receiver, [], ev);
        }
        s.firedDirection = null;
        s.createdByRemote = false;
        keep.push(t);
        continue;
      }
      if (receives(s.firedDirection) && !receives(before.firedDirection)) processRemoteTrackRemoval(t, ev);
      if (receives(before.firedDirection)) setAssociatedRemoteStreams(st, t.receiver, before.remoteStreamIds, ev);
      else setAssociatedRemoteStreams(st, t.receiver, [], ev);
      s.mid = before.mid;
      s.mLineIndex = before.mLineIndex;
      s.firedDirection = before.firedDirection;
      keep.push(t);
    }
    st.transceivers = keep;
    st.dataMid = snap.dataMid;
    st.dataMLineIndex = snap.dataMLineIndex;
    // The SCTP transport created by the rolled-back description goes away with it.
    if (snap.dataMid === null && !st.sctpStarted) st.sctpTransport = null;
  }
  st.pendingLocal = null;
  st.pendingRemote = null;
  st.offerSnapshot = null;
  st.signalingState = 'stable';
}
