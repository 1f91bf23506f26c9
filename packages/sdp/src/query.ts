/** Typed look-ups over an attribute list, and small per-section helpers. */
import type { Attribute, AttributeOf, Direction, KnownAttributeName } from './attributes/model.js';
import { DIRECTIONS, isUnknown } from './attributes/model.js';
import type { MediaDescription, SessionDescription } from './types.js';

/** First typed attribute named `name` (unknown/malformed entries never match). */
export function findAttribute<N extends KnownAttributeName>(attrs: readonly Attribute[], name: N): AttributeOf<N> | undefined {
  return attrs.find((a) => a.name === name && !isUnknown(a)) as AttributeOf<N> | undefined;
}

/** Every typed attribute named `name`, in order. */
export function findAttributes<N extends KnownAttributeName>(attrs: readonly Attribute[], name: N): AttributeOf<N>[] {
  return attrs.filter((a) => a.name === name && !isUnknown(a)) as AttributeOf<N>[];
}

/** True when the property attribute (e.g. rtcp-mux) is present. */
export function hasAttribute(attrs: readonly Attribute[], name: string): boolean {
  return attrs.some((a) => a.name === name);
}

/** Unknown attributes named `name` (e.g. "sctpmap") with their raw values. */
export function findUnknownAttributes(attrs: readonly Attribute[], name: string): (string | undefined)[] {
  return attrs.filter((a) => a.name === name && isUnknown(a)).map((a) => (isUnknown(a) ? a.value : undefined));
}

/**
 * A media section's direction; RFC 8866 §6.7: sendrecv when absent from the
 * section, falling back to the session-level attribute.
 */
export function getDirection(media: MediaDescription, session?: SessionDescription): Direction {
  const own = media.attributes.find((a) => DIRECTIONS.includes(a.name as Direction));
  if (own) return own.name as Direction;
  const sess = session?.attributes.find((a) => DIRECTIONS.includes(a.name as Direction));
  return (sess?.name as Direction | undefined) ?? 'sendrecv';
}

export function getMid(media: MediaDescription): string | undefined {
  return findAttribute(media.attributes, 'mid')?.mid;
}

/** The value of a session- or media-level attribute, media level winning (RFC 8839 §5.4 for ICE credentials). */
export function getMediaOrSession<N extends KnownAttributeName>(
  media: MediaDescription,
  session: SessionDescription,
  name: N,
): AttributeOf<N> | undefined {
  return findAttribute(media.attributes, name) ?? findAttribute(session.attributes, name);
}

/** The mids of the first BUNDLE group (RFC 9143 §7.1), or []. */
export function getBundleMids(session: SessionDescription): string[] {
  return findAttributes(session.attributes, 'group').find((g) => g.semantics === 'BUNDLE')?.mids ?? [];
}
