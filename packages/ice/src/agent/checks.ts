import type { TransportAddress } from '@rivulet/common';
import { StunClass, StunErrorCode, StunMessage, StunMethod, attr, encodeStun, shortTermKey } from '../stun/index.js';

/** What a connectivity check carries (RFC 8445 §7.2.2, §7.1.1–§7.1.3). */
export interface CheckRequestParams {
  localUfrag: string;
  remoteUfrag: string;
  remotePassword: string;
  /** PRIORITY: the priority a peer-reflexive candidate from this check would get (§7.1.1). */
  priority: number;
  controlling: boolean;
  tieBreaker: bigint;
  useCandidate: boolean;
  software?: string;
}

export function buildCheckRequest(p: CheckRequestParams): { message: StunMessage; bytes: Buffer } {
  const m = new StunMessage(StunMethod.Binding, StunClass.Request);
  // §7.2.2: USERNAME is "remote ufrag:local ufrag" (the receiver's fragment first).
  attr.setUsername(m, `${p.remoteUfrag}:${p.localUfrag}`);
  attr.setPriority(m, p.priority);
  if (p.controlling) attr.setIceControlling(m, p.tieBreaker);
  else attr.setIceControlled(m, p.tieBreaker);
  if (p.useCandidate) attr.setUseCandidate(m);
  if (p.software) attr.setSoftware(m, p.software);
  return { message: m, bytes: encodeStun(m, { integrityKey: shortTermKey(p.remotePassword), fingerprint: true }) };
}

/** §7.3.1: success response with XOR-MAPPED-ADDRESS = the request's source, signed with our password. */
export function buildSuccessResponse(request: StunMessage, source: TransportAddress, localPassword: string): Buffer {
  const res = request.createResponse();
  attr.setXorMappedAddress(res, source);
  return encodeStun(res, { integrityKey: shortTermKey(localPassword), fingerprint: true });
}

export function buildErrorResponse(request: StunMessage, code: number, reason: string, localPassword: string | undefined, unknown?: readonly number[]): Buffer {
  const res = request.createResponse(true);
  attr.setErrorCode(res, code, reason);
  if (unknown && unknown.length > 0) attr.setUnknownAttributes(res, unknown);
  return encodeStun(res, { ...(localPassword ? { integrityKey: shortTermKey(localPassword) } : {}), fingerprint: true });
}

export type RoleConflictOutcome = 'none' | 'switch' | 'reject';

/**
 * RFC 8445 §7.3.1.1: decide a role conflict seen in an incoming request.
 * 'switch' = we change role and answer; 'reject' = we answer 487 and keep ours.
 */
export function resolveRoleConflict(weControl: boolean, ourTieBreaker: bigint, request: StunMessage): RoleConflictOutcome {
  if (weControl) {
    const theirs = attr.getIceControlling(request);
    if (theirs === undefined) return 'none';
    return ourTieBreaker >= theirs ? 'reject' : 'switch';
  }
  const theirs = attr.getIceControlled(request);
  if (theirs === undefined) return 'none';
  return ourTieBreaker >= theirs ? 'switch' : 'reject';
}

export const ROLE_CONFLICT = StunErrorCode.RoleConflict;
