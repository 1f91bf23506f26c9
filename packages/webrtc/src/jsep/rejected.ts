import type { MediaDescription } from '@rivulet/sdp';

/**
 * RFC 3264 §6: port 0 rejects a section — except with a=bundle-only (RFC 8843 §6), where port 0
 * means "only usable inside the BUNDLE group".
 */
export function isRejected(m: MediaDescription): boolean {
  return m.port === 0 && !m.attributes.some((a) => a.name === 'bundle-only');
}
