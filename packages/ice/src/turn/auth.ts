import { createHash } from 'node:crypto';
import { StunAttr, StunErrorCode, attr, encodeStun, longTermKey, saslprep, verifyIntegrity, type StunMessage } from '../stun/index.js';

/** RFC 8489 §18.5: PASSWORD-ALGORITHM numbers. */
const ALG_MD5 = 0x0001;
const ALG_SHA256 = 0x0002;

function parseAlgorithms(v: Buffer | undefined): number[] {
  const out: number[] = [];
  if (!v) return out;
  // RFC 8489 §14.11: a list of { algorithm u16, params length u16, params (padded) }.
  let i = 0;
  while (i + 4 <= v.length) {
    const alg = v.readUInt16BE(i);
    const len = v.readUInt16BE(i + 2);
    out.push(alg);
    i += 4 + ((len + 3) & ~3);
  }
  return out;
}

export type ChallengeOutcome = 'retry' | 'rejected';

/**
 * Client side of the STUN long-term credential mechanism (RFC 8489 §9.2):
 * learns REALM and NONCE from a 401, signs every later request, and picks up
 * a fresh NONCE from a 438 (stale nonce).
 */
export class LongTermCredentials {
  realm: string | undefined;
  nonce: string | undefined;
  private key: Buffer | undefined;
  private algorithms: Buffer | undefined;
  private algorithm = ALG_MD5;

  constructor(
    readonly username: string,
    private readonly password: string,
  ) {}

  get ready(): boolean {
    return this.key !== undefined && this.nonce !== undefined;
  }

  /**
   * Takes a 401 or 438 error response. Returns 'retry' when it carried what
   * a (new) signed attempt needs, 'rejected' when it did not.
   */
  challenge(response: StunMessage, code: number): ChallengeOutcome {
    const realm = attr.getRealm(response);
    const nonce = attr.getNonce(response);
    if (nonce === undefined) return 'rejected';
    if (code === StunErrorCode.Unauthorized) {
      if (realm === undefined) return 'rejected';
      // RFC 8489 §9.2.4: a server offering PASSWORD-ALGORITHMS gets them echoed with our choice.
      const offered = response.get(StunAttr.PasswordAlgorithms);
      const algs = parseAlgorithms(offered);
      this.algorithms = offered && algs.length > 0 ? Buffer.from(offered) : undefined;
      this.algorithm = this.algorithms && !algs.includes(ALG_MD5) && algs.includes(ALG_SHA256) ? ALG_SHA256 : ALG_MD5;
      this.realm = realm;
      this.key =
        this.algorithm === ALG_SHA256
          ? createHash('sha256').update(`${this.username}:${realm}:${saslprep(this.password)}`, 'utf8').digest()
          : longTermKey(this.username, realm, this.password);
    } else if (realm !== undefined && realm !== this.realm) {
      return 'rejected';
    }
    this.nonce = nonce;
    return this.key ? 'retry' : 'rejected';
  }

  /** Adds USERNAME, REALM, NONCE (and password algorithm attributes) then encodes with MESSAGE-INTEGRITY. */
  sign(message: StunMessage): Buffer {
    if (!this.key || this.realm === undefined || this.nonce === undefined) {
      throw new Error('TURN credentials: no realm/nonce yet; a 401 challenge must come first');
    }
    attr.setUsername(message, this.username);
    attr.setRealm(message, this.realm);
    attr.setNonce(message, this.nonce);
    if (this.algorithms) {
      message.add(StunAttr.PasswordAlgorithms, this.algorithms);
      const chosen = Buffer.alloc(4);
      chosen.writeUInt16BE(this.algorithm, 0);
      message.add(StunAttr.PasswordAlgorithm, chosen);
    }
    return encodeStun(message, { integrityKey: this.key, fingerprint: true });
  }

  /** RFC 8489 §9.2.5: a success response must carry valid MESSAGE-INTEGRITY. */
  verify(response: StunMessage): boolean {
    return this.key !== undefined && verifyIntegrity(response, this.key);
  }
}
