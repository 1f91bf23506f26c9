/**
 * Content checks on a remote description before it is applied (webrtc-pc
 * §4.4.1.6: invalid content → InvalidAccessError; RFC 8829 §5.8): ICE
 * credentials and a DTLS fingerprint for every used section, rtcp-mux
 * (rtcpMuxPolicy "require"), mids, and an answer that mirrors our offer.
 */
import { isRejected } from '../jsep/rejected.js';
import {
  findAttribute, getBundleMids, getMediaOrSession, getMid, hasAttribute, type SessionDescription,
} from '@rivulet/sdp';
import { invalidAccess } from '../base/errors.js';

export function validateRemoteDescription(sdp: SessionDescription, type: 'offer' | 'answer' | 'pranswer', localOffer: SessionDescription | null): void {
  const used = sdp.media.filter((m) => !isRejected(m));
  const bundle = getBundleMids(sdp);
  sdp.media.forEach((m, i) => {
    if (isRejected(m)) return;
    const where = `m-section ${i} (${m.kind})`;
    const mid = getMid(m);
    if (mid === undefined) throw invalidAccess(`setRemoteDescription: ${where} has no a=mid (RFC 8843 requires one with BUNDLE)`);
    // Bundled sections other than the tagged one may omit transport attributes (RFC 9143 §7.1.3 bundle-only).
    const bundledFollower = bundle.includes(mid) && bundle[0] !== mid;
    const ufrag = getMediaOrSession(m, sdp, 'ice-ufrag');
    const pwd = getMediaOrSession(m, sdp, 'ice-pwd');
    if ((!ufrag || !pwd) && !bundledFollower) throw invalidAccess(`setRemoteDescription: ${where} has no a=ice-ufrag/a=ice-pwd`);
    if (!getMediaOrSession(m, sdp, 'fingerprint') && !bundledFollower) {
      throw invalidAccess(`setRemoteDescription: ${where} has no a=fingerprint (DTLS-SRTP is mandatory, RFC 8827 §6.5)`);
    }
    if ((m.kind === 'audio' || m.kind === 'video') && !hasAttribute(m.attributes, 'rtcp-mux')) {
      throw invalidAccess(`setRemoteDescription: ${where} lacks a=rtcp-mux, which rtcpMuxPolicy "require" needs`);
    }
  });
  if (used.length > 1 && bundle.length === 0) {
    throw invalidAccess('setRemoteDescription: several m-sections without a=group:BUNDLE; Rivulet only supports bundled transports (docs/api-deviations.md)');
  }
  if (type !== 'offer' && localOffer) {
    if (sdp.media.length !== localOffer.media.length) {
      throw invalidAccess(`setRemoteDescription: the answer has ${sdp.media.length} m-sections, our offer has ${localOffer.media.length}`);
    }
    sdp.media.forEach((m, i) => {
      const o = localOffer.media[i]!;
      if (m.kind !== o.kind) throw invalidAccess(`setRemoteDescription: answer m-section ${i} is ${m.kind}, the offer's is ${o.kind}`);
      if (!isRejected(m) && !isRejected(o) && getMid(m) !== getMid(o)) {
        throw invalidAccess(`setRemoteDescription: answer m-section ${i} has mid ${getMid(m)}, the offer's is ${getMid(o)}`);
      }
      const setup = findAttribute(m.attributes, 'setup')?.role;
      if (!isRejected(m) && setup === 'actpass') throw invalidAccess(`setRemoteDescription: answer m-section ${i} uses a=setup:actpass (RFC 8842 §5.3 forbids it in answers)`);
    });
  }
}
