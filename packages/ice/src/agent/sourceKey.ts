import type { TransportAddress } from '@rivulet/common';
import type { LocalBase } from './base.js';
import { addressKey } from './candidate.js';

/** Identity of a (base, remote transport address) path; data is accepted only from validated ones. */
export function sourceKey(base: LocalBase, from: TransportAddress): string {
  return `${base.id}|${addressKey(from.address, from.port)}`;
}
