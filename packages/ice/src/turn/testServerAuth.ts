import { randomBytes } from 'node:crypto';
import type { Clock } from '@rivulet/common';
import { StunAttr, StunErrorCode, attr, longTermKey, verifyIntegrity, type StunMessage } from '../stun/index.js';
import type { TurnTestServerCounter } from './testServerAllocation.js';

/** A request that passed: the long-term key to sign the response with. */
export interface Authenticated {
  key: Buffer;
}

/** A request that did not: the error response to send (with REALM and NONCE) and what to count. */
export interface Rejected {
  code: number;
  reason: string;
  counter: Extract<TurnTestServerCounter, 'challenged' | 'bad-credentials' | 'stale-nonce'>;
}

/**
 * The test server's long-term credential mechanism (RFC 8489 §9.2): one realm, a user table,
 * and one current nonce that goes stale after `nonceLifetimeMs` (or when a test says so).
 */
export class TestServerCredentials {
  private currentNonce = '';
  private nonceIssuedAt = 0;

  constructor(
    readonly realm: string,
    private readonly users: Readonly<Record<string, string>>,
    private readonly clock: Clock,
    private readonly nonceLifetimeMs: number | undefined,
  ) {
    this.rotateNonce();
  }

  get nonce(): string {
    return this.currentNonce;
  }

  /** A fresh nonce: the previous one is stale from now on (the next signed request gets 438). */
  rotateNonce(): void {
    this.currentNonce = randomBytes(12).toString('hex');
    this.nonceIssuedAt = this.clock.now();
  }

  /** RFC 8489 §9.2.4: no MESSAGE-INTEGRITY → 401; unknown user, other realm or bad integrity → 401; old nonce → 438. */
  check(msg: StunMessage): Authenticated | Rejected {
    if (!msg.has(StunAttr.MessageIntegrity)) return { code: StunErrorCode.Unauthorized, reason: 'Unauthorized', counter: 'challenged' };
    const username = attr.getUsername(msg);
    const password = username === undefined ? undefined : this.users[username];
    if (username === undefined || password === undefined || attr.getRealm(msg) !== this.realm) {
      return { code: StunErrorCode.Unauthorized, reason: 'Unauthorized', counter: 'bad-credentials' };
    }
    const key = longTermKey(username, this.realm, password);
    if (!verifyIntegrity(msg, key)) return { code: StunErrorCode.Unauthorized, reason: 'Unauthorized', counter: 'bad-credentials' };
    const life = this.nonceLifetimeMs;
    if (life !== undefined && this.clock.now() - this.nonceIssuedAt >= life) this.rotateNonce();
    if (attr.getNonce(msg) !== this.currentNonce) return { code: StunErrorCode.StaleNonce, reason: 'Stale Nonce', counter: 'stale-nonce' };
    return { key };
  }
}
