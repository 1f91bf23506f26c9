import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RFC 6347 §4.2.1 stateless cookies: Cookie = HMAC(Secret, client parameters). The server keeps no
 * state until a ClientHello returns a cookie it can recompute, which defeats spoofed-source floods.
 * We MAC every ClientHello field except the cookie itself, so a client must resend the same hello.
 */
export class CookieAuthority {
  private readonly secret: Buffer;

  constructor(secret?: Buffer) {
    this.secret = secret ?? randomBytes(32);
  }

  /** The ClientHello body without its cookie field (version ‖ random ‖ session_id ‖ … ‖ extensions). */
  private static parameters(clientHelloBody: Buffer): Buffer {
    const sessionIdLength = clientHelloBody[34]!;
    const cookieAt = 35 + sessionIdLength;
    const cookieLength = clientHelloBody[cookieAt]!;
    return Buffer.concat([clientHelloBody.subarray(0, cookieAt), clientHelloBody.subarray(cookieAt + 1 + cookieLength)]);
  }

  issue(clientHelloBody: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(CookieAuthority.parameters(clientHelloBody)).digest().subarray(0, 20);
  }

  verify(clientHelloBody: Buffer, cookie: Buffer): boolean {
    if (cookie.length !== 20) return false;
    return timingSafeEqual(this.issue(clientHelloBody), cookie);
  }
}
