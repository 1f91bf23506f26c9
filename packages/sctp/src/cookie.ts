import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The State Cookie (RFC 9260 §5.1.3): everything the server needs to build
 * the association, signed with a secret only it knows, so the server keeps
 * no state between INIT and COOKIE ECHO (§5.1 step B, SYN-flood defence).
 * The layout is ours; only we read it.
 */
export interface CookieContents {
  createdAt: number;
  localTag: number;
  localInitialTsn: number;
  peerTag: number;
  peerInitialTsn: number;
  peerARwnd: number;
  /** min(our outbound, peer inbound) and min(our inbound, peer outbound). */
  outboundStreams: number;
  inboundStreams: number;
  peerForwardTsn: boolean;
  peerReconfig: boolean;
  /** The peer accepts zero checksums (RFC 9653). */
  peerZeroChecksum: boolean;
  /** Granted from the peer's Cookie Preservative (RFC 9260 §5.2.6), added to Valid.Cookie.Life. */
  extraLifetimeMs: number;
}

const VERSION = 1;
const BODY_LENGTH = 1 + 8 + 4 * 5 + 2 * 2 + 1 + 4;
const MAC_LENGTH = 32;
export const COOKIE_LENGTH = BODY_LENGTH + MAC_LENGTH;

export class CookieSigner {
  private readonly secret: Buffer;

  constructor(secret?: Buffer) {
    this.secret = secret ?? randomBytes(32);
  }

  sign(c: CookieContents): Buffer {
    const b = Buffer.alloc(COOKIE_LENGTH);
    let o = 0;
    b[o++] = VERSION;
    b.writeDoubleBE(c.createdAt, o);
    o += 8;
    for (const v of [c.localTag, c.localInitialTsn, c.peerTag, c.peerInitialTsn, c.peerARwnd]) {
      b.writeUInt32BE(v >>> 0, o);
      o += 4;
    }
    b.writeUInt16BE(c.outboundStreams, o);
    b.writeUInt16BE(c.inboundStreams, o + 2);
    o += 4;
    b[o++] = (c.peerForwardTsn ? 1 : 0) | (c.peerReconfig ? 2 : 0) | (c.peerZeroChecksum ? 4 : 0);
    b.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.round(c.extraLifetimeMs))), o);
    this.mac(b.subarray(0, BODY_LENGTH)).copy(b, BODY_LENGTH);
    return b;
  }

  /** Returns the contents when the MAC verifies, else undefined (forged or corrupted). */
  verify(cookie: Buffer): CookieContents | undefined {
    if (cookie.length !== COOKIE_LENGTH || cookie[0] !== VERSION) return undefined;
    const expected = this.mac(cookie.subarray(0, BODY_LENGTH));
    if (!timingSafeEqual(expected, cookie.subarray(BODY_LENGTH))) return undefined;
    let o = 1;
    const createdAt = cookie.readDoubleBE(o);
    o += 8;
    const u32 = (): number => {
      const v = cookie.readUInt32BE(o);
      o += 4;
      return v;
    };
    const localTag = u32();
    const localInitialTsn = u32();
    const peerTag = u32();
    const peerInitialTsn = u32();
    const peerARwnd = u32();
    const outboundStreams = cookie.readUInt16BE(o);
    const inboundStreams = cookie.readUInt16BE(o + 2);
    const flags = cookie[o + 4]!;
    const extraLifetimeMs = cookie.readUInt32BE(o + 5);
    return {
      createdAt,
      localTag,
      localInitialTsn,
      peerTag,
      peerInitialTsn,
      peerARwnd,
      outboundStreams,
      inboundStreams,
      peerForwardTsn: (flags & 1) !== 0,
      peerReconfig: (flags & 2) !== 0,
      peerZeroChecksum: (flags & 4) !== 0,
      extraLifetimeMs,
    };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }
}
