/**
 * addTrack / removeTrack / addTransceiver (webrtc-pc §5.1), including the
 * exact sender-reuse rule of addTrack and the sendEncodings checks.
 */
import { invalidAccess, invalidState } from '../base/errors.js';
import { MediaStream } from '../media/MediaStream.js';
import { MediaStreamTrack } from '../media/MediaStreamTrack.js';
import { validateSendEncodings, type RTCRtpEncodingParameters } from '../transceiver/parameters.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { RTCRtpSender, senderInternals } from '../transceiver/RTCRtpSender.js';
import {
  transceiverInternals, type NegotiatedDirection, type RTCRtpTransceiver, type RTCRtpTransceiverDirection,
} from '../transceiver/RTCRtpTransceiver.js';
import type { PeerCore } from './core.js';

export interface RTCRtpTransceiverInit {
  direction?: RTCRtpTransceiverDirection;
  streams?: MediaStream[];
  sendEncodings?: RTCRtpEncodingParameters[];
}

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function streamIds(streams: readonly MediaStream[]): string[] {
  const ids: string[] = [];
  for (const s of streams) {
    if (!(s instanceof MediaStream)) throw new TypeError('streams must be MediaStream objects');
    if (!ids.includes(s.id)) ids.push(s.id);
  }
  return ids;
}

/** webrtc-pc §5.1 "create an RTCRtpTransceiver" with a new sender and receiver. */
export function createTransceiver(
  core: PeerCore,
  kind: 'audio' | 'video',
  track: MediaStreamTrack | null,
  direction: NegotiatedDirection,
  ids: string[],
  encodings: RTCRtpEncodingParameters[],
): RTCRtpTransceiver {
  const sender = senderInternals.create(core.ctx, kind, track, ids, encodings);
  const receiver = receiverInternals.create(core.ctx, kind);
  const t = transceiverInternals.create(core.ctx, { kind, direction, sender, receiver });
  core.createdSenders.add(sender);
  core.st.transceivers.push(t);
  return t;
}

export function addTrack(core: PeerCore, track: MediaStreamTrack, streams: MediaStream[]): RTCRtpSender {
  const st = core.st;
  if (!(track instanceof MediaStreamTrack)) throw new TypeError('addTrack: the first argument must be a MediaStreamTrack');
  const ids = streamIds(streams);
  // §5.1 addTrack step 4.
  if (st.closed) throw invalidState('addTrack: the RTCPeerConnection is closed');
  // Step 6: a track may have only one sender per connection.
  for (const t of st.transceivers) {
    if (!st.transceiverState(t).stopped && t.sender.track === track) {
      throw invalidAccess(`addTrack: track ${track.id} already has a sender in this RTCPeerConnection`);
    }
  }
  // Step 7: reuse a sender only when every condition holds.
  const reusable = st.transceivers.find((t) => {
    const s = st.transceiverState(t);
    return t.sender.track === null && s.kind === track.kind && !s.stopping && !s.stopped && !s.everSent;
  });
  let sender: RTCRtpSender;
  if (reusable) {
    const s = st.transceiverState(reusable);
    const ss = senderInternals.state(reusable.sender);
    ss.track = track;
    ss.streamIds = ids;
    ss.onTrackChanged?.();
    if (s.direction === 'recvonly') s.direction = 'sendrecv';
    else if (s.direction === 'inactive') s.direction = 'sendonly';
    s.addedByAddTrack = true;
    sender = reusable.sender;
  } else {
    const t = createTransceiver(core, track.kind, track, 'sendrecv', ids, [{ active: true }]);
    st.transceiverState(t).addedByAddTrack = true;
    sender = t.sender;
  }
  core.updateNegotiationNeeded();
  return sender;
}

export function removeTrack(core: PeerCore, sender: RTCRtpSender): void {
  const st = core.st;
  if (!(sender instanceof RTCRtpSender)) throw new TypeError('removeTrack: the argument must be an RTCRtpSender');
  if (st.closed) throw invalidState('removeTrack: the RTCPeerConnection is closed');
  if (!core.createdSenders.has(sender)) throw invalidAccess('removeTrack: the sender was not created by this RTCPeerConnection');
  // A sender whose transceiver was removed (stopped, or rolled back) is simply ignored.
  const t = st.transceivers.find((x) => x.sender === sender);
  if (!t) return;
  const s = st.transceiverState(t);
  if (s.stopped) return;
  // §5.1 removeTrack step: nothing to do when the sender has no track or the transceiver is stopping.
  if (s.stopping) return;
  const ss = senderInternals.state(sender);
  if (ss.track === null) return;
  ss.track = null;
  ss.onTrackChanged?.();
  if (s.direction === 'sendrecv') s.direction = 'recvonly';
  else if (s.direction === 'sendonly') s.direction = 'inactive';
  core.updateNegotiationNeeded();
}

export function addTransceiver(core: PeerCore, trackOrKind: MediaStreamTrack | string, init: RTCRtpTransceiverInit = {}): RTCRtpTransceiver {
  const st = core.st;
  let kind: 'audio' | 'video';
  let track: MediaStreamTrack | null = null;
  if (trackOrKind instanceof MediaStreamTrack) {
    track = trackOrKind;
    kind = track.kind;
  } else if (trackOrKind === 'audio' || trackOrKind === 'video') {
    kind = trackOrKind;
  } else {
    throw new TypeError(`addTransceiver: kind ${JSON.stringify(trackOrKind)} is neither "audio" nor "video"`);
  }
  if (st.closed) throw invalidState('addTransceiver: the RTCPeerConnection is closed');
  const direction = init.direction ?? 'sendrecv';
  if (!DIRECTIONS.includes(direction)) {
    throw new TypeError(`addTransceiver: direction ${JSON.stringify(direction)} is not a valid RTCRtpTransceiverDirection`);
  }
  const ids = streamIds(init.streams ?? []);
  const encodings = validateSendEncodings(kind, init.sendEncodings);
  const t = createTransceiver(core, kind, track, direction as NegotiatedDirection, ids, encodings);
  core.updateNegotiationNeeded();
  return t;
}

/** Legacy offerToReceiveAudio/Video (webrtc-pc §11.2). */
export function legacyOfferToReceive(core: PeerCore, kind: 'audio' | 'video', value: boolean): void {
  const st = core.st;
  const ofKind = st.transceivers.filter((t) => {
    const s = st.transceiverState(t);
    return s.kind === kind && !s.stopping;
  });
  if (value) {
    for (const t of ofKind) {
      const s = st.transceiverState(t);
      if (s.direction === 'sendonly') s.direction = 'sendrecv';
      else if (s.direction === 'inactive') s.direction = 'recvonly';
    }
    if (ofKind.length === 0) createTransceiver(core, kind, null, 'recvonly', [], [{ active: true }]);
  } else {
    for (const t of ofKind) {
      const s = st.transceiverState(t);
      if (s.direction === 'sendrecv') s.direction = 'sendonly';
      else if (s.direction === 'recvonly') s.direction = 'inactive';
    }
  }
}
