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
}

interface ChannelMark {
  wasOpen: boolean;
  left: boolean;
}

const byOwner = new WeakMap<object, Counts>();
const marks = new WeakMap<RTCDataChannel, ChannelMark>();

function countsOf(owner: object): Counts {
  let c = byOwner.get(owner);
  if (!c) {
    c = { opened: 0, closed: 0 };
    byOwner.set(owner, c);
  }
  return c;
}

/** Called once when `owner` (the peer connection's state) adopts `dc` (created locally or announced by the peer). */
export function trackDataChannel(owner: object, dc: RTCDataChannel): void {
  if (marks.has(dc)) return;
  const c = countsOf(owner);
  const mark: ChannelMark = { wasOpen: false, left: false };
  marks.set(dc, mark);
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

/**
 * The two counters now. `live` are the channels still in the connection's set: one that was open
 * and is now closing (close() called, no event yet) has left the open state too.
 */
export function dataChannelCounts(owner: object, live: Iterable<RTCDataChannel>): Counts {
  const c = countsOf(owner);
  let closing = 0;
  for (const dc of live) {
    const m = marks.get(dc);
    if (m && m.wasOpen && !m.left && dc.readyState !== 'open') closing++;
  }
  return { opened: c.opened, closed: c.closed + closing };
}
