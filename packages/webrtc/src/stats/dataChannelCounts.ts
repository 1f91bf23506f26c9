/**
 * webrtc-stats RTCPeerConnectionStats.dataChannelsOpened / dataChannelsClosed:
 * the number of unique data channels that have entered the "open" state, and
 * of those that have left it, over the connection's life. A channel leaves
 * the peer connection's set when it closes, so the counts are kept here, fed
 * by the channel's own events from the moment the connection adopts it.
 */
import type { RTCDataChannel } from '../datachannel/RTCDataChannel.js';

interface Counts {
  opened: number;
  closed: number;
  /** Every channel adopted, in order: closed ones stay reported (webrtc-stats keeps stats of closed objects). */
  channels: RTCDataChannel[];
}

interface ChannelMark {
  wasOpen: boolean;
  left: boolean;
  /** Stable stats id ("D" + adoption order). */
  id: string;
}

const byOwner = new WeakMap<object, Counts>();
const marks = new WeakMap<RTCDataChannel, ChannelMark>();

function countsOf(owner: object): Counts {
  let c = byOwner.get(owner);
  if (!c) {
    c = { opened: 0, closed: 0, channels: [] };
    byOwner.set(owner, c);
  }
  return c;
}

/** Called once when `owner` (the peer connection's state) adopts `dc` (created locally or announced by the peer). */
export function trackDataChannel(owner: object, dc: RTCDataChannel): void {
  if (marks.has(dc)) return;
  const c = countsOf(owner);
  const mark: ChannelMark = { wasOpen: false, left: false, id: `D${c.channels.length}` };
  marks.set(dc, mark);
  c.channels.push(dc);
  const opened = (): void => {
    if (mark.wasOpen) return;
    mark.wasOpen = true;
    c.opened++;
  };
  const left = (): void => {
    if (!mark.wasOpen || mark.left) return;
    mark.left = true;
    c.closed++;
  };
  if (dc.readyState === 'open') opened();
  else dc.addEventListener('open', opened);
  dc.addEventListener('closing', left);
  dc.addEventListener('close', left);
}

/** The two counters now: a channel that was open and is closing (no event yet) has left the open state too. */
export function dataChannelCounts(owner: object): { opened: number; closed: number } {
  const c = countsOf(owner);
  let closing = 0;
  for (const dc of c.channels) {
    const m = marks.get(dc)!;
    if (m.wasOpen && !m.left && dc.readyState !== 'open') closing++;
  }
  return { opened: c.opened, closed: c.closed + closing };
}

/** The channels `owner` adopted (closed ones included) with their stable stats ids. */
export function trackedDataChannels(owner: object): Array<{ id: string; channel: RTCDataChannel }> {
  return countsOf(owner).channels.map((channel) => ({ id: marks.get(channel)!.id, channel }));
}
