import { ParseError } from '@rivulet/common';
import { staleCookieCause } from './chunks/error.js';
import {
  forwardTsnSupportedParam,
  peerExtensions,
  screenParams,
  stateCookieParam,
  supportedExtensionsParam,
  unrecognizedParam,
  zeroChecksumAcceptableParam,
} from './chunks/init.js';
import { findTlv } from './chunks/tlv.js';
import { ChunkType, ParamType, type Chunk, type CookieEchoChunk, type InitChunk } from './chunks/types.js';
import { CookieSigner, type CookieContents } from './cookie.js';
import type { ResolvedOptions } from './options.js';
import { TimerSlot } from './timer.js';
import type { AssociationState, DropReason } from './associationTypes.js';

/** What the handshake needs from its association. */
export interface HandshakeHost {
  readonly state: AssociationState;
  /** Whether the association is established or shutting down. */
  readonly connected: boolean;
  setState(s: AssociationState): void;
  sendSingle(vtag: number, chunk: Chunk): void;
  /** Queues a control chunk for the next packet; `first` puts it at the front (COOKIE ECHO). */
  control(chunk: Chunk, first?: boolean): void;
  flush(): void;
  drop(reason: DropReason): void;
  /** Builds the data-transfer state from the negotiated parameters. */
  adopt(c: CookieContents): void;
  establish(): void;
  fail(reason: string, error: Error): void;
}

/**
 * Association initialization (RFC 9260 §5): INIT / INIT ACK / COOKIE ECHO /
 * COOKIE ACK with the T1-init and T1-cookie timers, a stateless answer to
 * INIT through an HMAC-signed cookie (§5.1.3), and the INIT collision rules
 * WebRTC needs because both peers start at once (§5.2.1, §5.2.4).
 */
export class Handshake {
  localTag = 0;
  localInitialTsn = 0;
  peerTag = 0;
  /** start() was called (we are an initiator, not only a listener). */
  started = false;
  private readonly cookies: CookieSigner;
  private initChunk: InitChunk | undefined;
  private cookieEcho: CookieEchoChunk | undefined;
  private readonly t1: TimerSlot;
  private t1Rto = 0;
  private t1Count = 0;
  private staleRetries = 0;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly host: HandshakeHost,
  ) {
    this.cookies = new CookieSigner(o.cookieSecret);
    this.t1 = new TimerSlot(o.clock, () => this.onT1());
  }

  /** §5.1 A: send INIT and enter COOKIE-WAIT. */
  start(): void {
    this.started = true;
    this.localTag = this.nonZeroRandom();
    this.localInitialTsn = this.o.random() >>> 0;
    this.initChunk = this.makeInit(1, this.localTag, this.localInitialTsn);
    this.t1Rto = this.o.rto.initialMs;
    this.t1Count = 0;
    this.host.setState('cookie-wait');
    this.host.sendSingle(0, this.initChunk);
    this.t1.start(this.t1Rto);
  }

  /** Stops T1 and forgets the retransmittable chunks (established or ended). */
  stop(): void {
    this.t1.cancel();
    this.initChunk = undefined;
    this.cookieEcho = undefined;
  }

  private nonZeroRandom(): number {
    for (let i = 0; i < 16; i++) {
      const v = this.o.random() >>> 0;
      if (v !== 0) return v;
    }
    return 1;
  }

  private makeInit(type: 1 | 2, tag: number, tsn: number, cookie?: Buffer): InitChunk {
    // RFC 3758 §3.1 and RFC 5061 §4.2.7: we speak FORWARD TSN and RE-CONFIG.
    const params = [forwardTsnSupportedParam(), supportedExtensionsParam([ChunkType.RECONFIG, ChunkType.FORWARD_TSN])];
    // RFC 9653 §5.1: announce that we take zero checksums (we run over DTLS, RFC 8261).
    if (this.o.zeroChecksum) params.push(zeroChecksumAcceptableParam());
    if (cookie) params.unshift(stateCookieParam(cookie));
    return {
      type,
      initiateTag: tag,
      aRwnd: this.o.receiveWindow,
      outboundStreams: this.o.streams,
      inboundStreams: this.o.streams,
      initialTsn: tsn,
      params,
    };
  }

  private contents(tag: number, tsn: number, peer: InitChunk): CookieContents {
    const ext = peerExtensions(peer);
    // §5.2.6 / §3.3.2.1: a Cookie Preservative asks for a longer cookie life; grant up to 60 s.
    const preservative = findTlv(screenParams(peer.params).usable, ParamType.COOKIE_PRESERVATIVE);
    const extra = preservative && preservative.value.length >= 4 ? Math.min(60_000, preservative.value.readUInt32BE(0)) : 0;
    return {
      createdAt: this.o.clock.now(),
      localTag: tag,
      localInitialTsn: tsn,
      peerTag: peer.initiateTag,
      peerInitialTsn: peer.initialTsn,
      peerARwnd: peer.aRwnd,
      outboundStreams: Math.min(this.o.streams, peer.inboundStreams),
      inboundStreams: Math.min(this.o.streams, peer.outboundStreams),
      peerForwardTsn: ext.forwardTsn,
      peerReconfig: ext.reconfig,
      peerZeroChecksum: ext.zeroChecksum,
      extraLifetimeMs: extra,
    };
  }

  /** §5.1 B (stateless answer with a signed cookie) and §5.2.1 (INIT in COOKIE-WAIT/ECHOED). */
  onInit(init: InitChunk): void {
    const st = this.host.state;
    let tag: number;
    let tsn: number;
    if (st === 'closed' && !this.started) {
      tag = this.nonZeroRandom();
      tsn = this.o.random() >>> 0;
    } else if (st === 'cookie-wait' || st === 'cookie-echoed') {
      // §5.2.1: answer with the parameters of our own INIT, tag unchanged.
      tag = this.localTag;
      tsn = this.localInitialTsn;
    } else {
      // §5.2.2 would start a restart; WebRTC never restarts an association over one DTLS connection.
      this.host.drop('unexpectedChunk');
      return;
    }
    const cookie = this.cookies.sign(this.contents(tag, tsn, init));
    const ack = this.makeInit(2, tag, tsn, cookie);
    // §3.3.3: report the INIT's unknown parameters whose type asks for it.
    for (const p of screenParams(init.params).report) ack.params.push(unrecognizedParam(p));
    this.host.sendSingle(init.initiateTag, ack);
  }

  /** §5.1 C: INIT ACK in COOKIE-WAIT → COOKIE ECHO, T1-cookie. */
  onInitAck(ack: InitChunk): void {
    if (this.host.state !== 'cookie-wait') {
      this.host.drop('unexpectedChunk');
      return;
    }
    const cookie = findTlv(ack.params, ParamType.STATE_COOKIE);
    if (!cookie) throw new ParseError('INIT ACK without a State Cookie parameter');
    this.peerTag = ack.initiateTag;
    this.host.adopt(this.contents(this.localTag, this.localInitialTsn, ack));
    this.cookieEcho = { type: ChunkType.COOKIE_ECHO, cookie: Buffer.from(cookie.value) };
    this.t1.stop();
    this.t1Rto = this.o.rto.initialMs;
    this.t1Count = 0;
    this.host.setState('cookie-echoed');
    this.host.control(this.cookieEcho, true);
    this.t1.start(this.t1Rto);
  }

  /**
   * §5.2.6: our cookie arrived stale. Go back to COOKIE-WAIT and send INIT
   * again (same tag and TSN) with a Cookie Preservative asking for the
   * staleness plus one second more. Returns whether the ERROR was handled.
   */
  onStaleCookie(stalenessUs: number): boolean {
    if (this.host.state !== 'cookie-echoed' || !this.started) return false;
    const increment = Math.ceil(stalenessUs / 1000) + 1000;
    const v = Buffer.alloc(4);
    v.writeUInt32BE(Math.min(0xffffffff, increment));
    const init = this.makeInit(1, this.localTag, this.localInitialTsn);
    init.params.push({ type: ParamType.COOKIE_PRESERVATIVE, value: v });
    this.initChunk = init;
    this.cookieEcho = undefined;
    this.t1.stop();
    this.t1Rto = this.o.rto.initialMs;
    this.t1Count = 0;
    if (++this.staleRetries > 3) {
      this.host.fail('handshake failed: stale cookies', new Error('SCTP handshake failed: the peer kept finding our cookie stale'));
      return true;
    }
    this.host.setState('cookie-wait');
    this.host.sendSingle(0, init);
    this.t1.start(this.t1Rto);
    return true;
  }

  onCookieAck(): void {
    if (this.host.state === 'cookie-echoed') this.host.establish();
  }

  /** §5.1 D and §5.2.4: returns whether the rest of the packet may be processed. */
  onCookieEcho(echo: CookieEchoChunk, vtag: number): boolean {
    const c = this.cookies.verify(echo.cookie);
    if (!c) {
      this.host.drop('badCookie');
      return false;
    }
    if (vtag !== c.localTag) {
      this.host.drop('badVerificationTag');
      return false;
    }
    const age = this.o.clock.now() - c.createdAt;
    const life = this.o.cookieLifetimeMs + c.extraLifetimeMs;
    if (age > life) {
      this.host.drop('staleCookie');
      this.host.sendSingle(c.peerTag, { type: ChunkType.ERROR, causes: [staleCookieCause((age - life) * 1000)] });
      return false;
    }
    if (this.host.state === 'closed' && !this.started) {
      this.localTag = c.localTag;
      this.localInitialTsn = c.localInitialTsn;
    } else if (c.localTag !== this.localTag) {
      // §5.2.4 A/C: a restart or a cookie from another association; we do not restart.
      this.host.drop('cookieTagMismatch');
      return false;
    }
    if (this.host.connected) {
      // §5.2.4 D: our COOKIE ACK was lost; repeat it.
      if (c.peerTag !== this.peerTag) {
        this.host.drop('cookieTagMismatch');
        return false;
      }
      this.host.control({ type: ChunkType.COOKIE_ACK });
      return true;
    }
    // Listening, COOKIE-WAIT or COOKIE-ECHOED: §5.2.4 B/D, take the peer from the cookie. In
    // COOKIE-ECHOED after a collision (§5.2.1) the cookie names the same peer INIT whose INIT ACK we
    // already adopted: keep that state, so DATA queued or bundled with our own COOKIE ECHO (§5.1 C,
    // e.g. a DCEP OPEN) is not thrown away with it.
    const same = this.host.state === 'cookie-echoed' && c.peerTag === this.peerTag && c.localTag === this.localTag;
    this.peerTag = c.peerTag;
    if (!same) this.host.adopt(c);
    this.host.control({ type: ChunkType.COOKIE_ACK });
    this.host.establish();
    return true;
  }

  /** T1-init / T1-cookie expiry (§5.1 C, §6.3.3 with Max.Init.Retransmits). */
  private onT1(): void {
    if (++this.t1Count > this.o.maxInitRetransmits) {
      this.host.fail('handshake timed out', new Error(`SCTP handshake timed out after ${this.o.maxInitRetransmits} retransmissions`));
      return;
    }
    this.t1Rto = Math.min(this.t1Rto * 2, this.o.rto.maxMs);
    const st = this.host.state;
    if (st === 'cookie-wait' && this.initChunk) this.host.sendSingle(0, this.initChunk);
    else if (st === 'cookie-echoed' && this.cookieEcho) {
      this.host.control(this.cookieEcho, true);
      this.host.flush();
    } else return;
    this.t1.start(this.t1Rto);
  }
}
