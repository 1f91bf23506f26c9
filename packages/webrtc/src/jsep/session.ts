/** Session-level lines shared by our offers and answers (RFC 8829 §5.2.1). */
import type { Attribute, MediaDescription, SessionDescription } from '@rivulet/sdp';
import type { PeerState } from '../pc/state.js';

export function buildSession(st: PeerState, media: MediaDescription[], bundleMids: string[], streamIds: string[]): SessionDescription {
  st.sessionVersion += 1n;
  const attributes: Attribute[] = [];
  if (bundleMids.length > 0) attributes.push({ name: 'group', semantics: 'BUNDLE', mids: bundleMids });
  attributes.push({ name: 'extmap-allow-mixed' });
  // The form browsers write; RFC 8830 dropped the line, but older stacks still look for it.
  attributes.push({ name: 'msid-semantic', semantic: 'WMS', identifiers: streamIds, spaceAfterColon: true });
  return {
    version: 0,
    origin: { username: '-', sessionId: st.sessionId, sessionVersion: String(st.sessionVersion), netType: 'IN', addrType: 'IP4', address: '127.0.0.1' },
    sessionName: '-', emails: [], phones: [], bandwidths: [], timings: [{ start: '0', stop: '0', repeats: [] }],
    attributes, media,
  };
}
