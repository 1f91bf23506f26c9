/**
 * webrtc-pc §4.4.1.6 helpers: "set the associated remote streams", "process
 * the addition/removal of a remote track", and firing the collected events
 * in the spec's order once the description is applied.
 */
import { findAttributes, type MediaDescription } from '@rivulet/sdp';
import { MediaStream, streamInternals } from '../media/MediaStream.js';
import { trackInternals, type MediaStreamTrack } from '../media/MediaStreamTrack.js';
import type { PeerState } from '../pc/state.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import type { RTCRtpReceiver } from '../transceiver/RTCRtpReceiver.js';
import type { RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';

export interface TrackEventInit {
  receiver: RTCRtpReceiver;
  track: MediaStreamTrack;
  streams: MediaStream[];
  transceiver: RTCRtpTransceiver;
}

/** Events collected while applying a description, fired after signalingstatechange. */
export interface PendingEvents {
  muteTracks: MediaStreamTrack[];
  removeList: [MediaStream, MediaStreamTrack][];
  addList: [MediaStream, MediaStreamTrack][];
  trackEvents: TrackEventInit[];
}

export function newPendingEvents(): PendingEvents {
  return { muteTracks: [], removeList: [], addList: [], trackEvents: [] };
}

/** Stream ids from a=msid (RFC 8830 §2), falling back to legacy a=ssrc:N msid lines; "-" means no stream. */
export function remoteMsids(m: MediaDescription): string[] {
  let ids = findAttributes(m.attributes, 'msid').map((a) => a.streamId);
  if (ids.length === 0) {
    ids = findAttributes(m.attributes, 'ssrc').filter((a) => a.attribute === 'msid' && a.value).map((a) => a.value!.split(' ')[0]!);
  }
  const out: string[] = [];
  for (const id of ids) if (id !== '-' && !out.includes(id)) out.push(id);
  return out;
}

export function setAssociatedRemoteStreams(st: PeerState, receiver: RTCRtpReceiver, msids: string[], ev: PendingEvents): void {
  const rs = receiverInternals.state(receiver);
  const streams = msids.map((id) => {
    let s = st.remoteStreams.get(id);
    if (!s) {
      s = streamInternals.create(id);
      st.remoteStreams.set(id, s);
    }
    return s;
  });
  for (const s of rs.remoteStreams) if (!streams.includes(s)) ev.removeList.push([s, rs.track]);
  for (const s of streams) if (!rs.remoteStreams.includes(s)) ev.addList.push([s, rs.track]);
  rs.remoteStreams = streams;
}

export function processRemoteTrackAddition(t: RTCRtpTransceiver, ev: PendingEvents): void {
  const rs = receiverInternals.state(t.receiver);
  ev.trackEvents.push({ receiver: t.receiver, track: rs.track, streams: [...rs.remoteStreams], transceiver: t });
}

export function processRemoteTrackRemoval(t: RTCRtpTransceiver, ev: PendingEvents): void {
  const track = receiverInternals.state(t.receiver).track;
  if (!track.muted && !ev.muteTracks.includes(track)) ev.muteTracks.push(track);
}

export class RTCTrackEvent extends Event {
  readonly receiver: RTCRtpReceiver;
  readonly track: MediaStreamTrack;
  readonly streams: readonly MediaStream[];
  readonly transceiver: RTCRtpTransceiver;
  constructor(type: string, init: TrackEventInit & { bubbles?: boolean; cancelable?: boolean; composed?: boolean }) {
    super(type, init);
    if (!init?.receiver || !init.track || !init.transceiver) {
      throw new TypeError('RTCTrackEvent: init needs receiver, track and transceiver');
    }
    this.receiver = init.receiver;
    this.track = init.track;
    this.streams = Object.freeze([...(init.streams ?? [])]);
    this.transceiver = init.transceiver;
  }
}

/** Fires mute → removetrack → addtrack → track, the order of webrtc-pc §4.4.1.6. */
export function firePendingEvents(target: EventTarget, ev: PendingEvents, isClosed: () => boolean): void {
  for (const track of ev.muteTracks) {
    if (isClosed()) return;
    // Through the source, so clones of the remote track mute too.
    trackInternals.source(track).setMuted(true);
  }
  for (const [s, t] of ev.removeList) {
    if (isClosed()) return;
    streamInternals.removeAndFire(s, t);
  }
  for (const [s, t] of ev.addList) {
    if (isClosed()) return;
    streamInternals.addAndFire(s, t);
  }
  for (const init of ev.trackEvents) {
    if (isClosed()) return;
    target.dispatchEvent(new RTCTrackEvent('track', init));
  }
}
