/** Direction algebra for offer/answer (RFC 3264 §6.1, RFC 8829 §5.3.1). */
import type { Direction } from './attributes/model.js';

export function directionSends(d: Direction): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function directionReceives(d: Direction): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

export function makeDirection(send: boolean, recv: boolean): Direction {
  return send ? (recv ? 'sendrecv' : 'sendonly') : recv ? 'recvonly' : 'inactive';
}

/** The direction as seen from the other side: sendonly ↔ recvonly. */
export function reverseDirection(d: Direction): Direction {
  return makeDirection(directionReceives(d), directionSends(d));
}

/**
 * RFC 3264 §6.1 / RFC 8829 §5.3.1: the answer's direction is the local
 * preference intersected with the reverse of the offer: we may send only if
 * the offerer receives, and receive only if the offerer sends.
 */
export function intersectDirection(offered: Direction, local: Direction): Direction {
  return makeDirection(directionSends(local) && directionReceives(offered), directionReceives(local) && directionSends(offered));
}
