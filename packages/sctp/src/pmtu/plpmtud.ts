import type { Clock } from '@rivulet/common';
import { TimerSlot } from '../timer.js';
import { decodeProbeInfo, encodeProbeInfo, MIN_PROBE_SIZE } from './probe.js';

/** RFC 8899 §5.2 states (DISABLED before start / after stop). */
export type PlpmtudState = 'disabled' | 'base' | 'searching' | 'searchComplete' | 'error';

export interface PlpmtudConfig {
  /** BASE_PLPMTU (RFC 8899 §5.1.2): confirmed by the handshake, never gone below. */
  base: number;
  /** MAX_PLPMTU: the largest packet we may try (DTLS record limit, local interface MTU). */
  max: number;
  /** MAX_PROBES (§5.1.2, default 3): consecutive unacknowledged probes of one size before it counts as failed. */
  maxProbes: number;
  /** PROBE_TIMER floor (§5.1.1: MUST NOT be below 1 s); the timer used is max(this, RTO). */
  probeTimerMs: number;
  /** PMTU_RAISE_TIMER (§5.1.1, default 600 s): how long SEARCH_COMPLETE waits before probing up again. */
  raiseTimerMs: number;
  /** Search stops once the smallest failed size is within this many bytes of the PLPMTU. */
  granularity: number;
}

export interface PlpmtudHooks {
  /** Send a probe packet of exactly `size` bytes carrying this Heartbeat Info (see probe.ts). */
  sendProbe(size: number, info: Buffer): void;
  /** The PLPMTU changed: packetize (and fragment) at this size from now on. */
  changed(plpmtu: number): void;
  /** The association's current RTO, so a probe is not declared lost before an ack could return. */
  rtoMs(): number;
  /** 32 random bits for probe nonces. */
  random(): number;
}

export interface PlpmtudStats {
  state: PlpmtudState;
  plpmtu: number;
  maxPlpmtu: number;
  probesSent: number;
  probesAcked: number;
  probesLost: number;
  blackHoles: number;
}

/** First upward step of a search; it doubles after every confirmed probe (see probeNext()). */
const INITIAL_STEP = 256;

const align4 = (n: number): number => n & ~3;

/**
 * Datagram PLPMTUD (RFC 8899) for one SCTP association, sans-IO. The PLPMTU only ever takes
 * confirmed sizes: BASE (confirmed by the handshake), or a size whose probe was acknowledged.
 *
 * Search (§5.3.2 leaves the algorithm open): successes cost one RTT and failures MAX_PROBES probe
 * timers, so we climb from the PLPMTU in steps that double on each success (1200 → 1456 → 1968 →
 * 2992 → 5040 → 9136 → 16384 over loopback), and after the first failed size bisect between the
 * PLPMTU and the smallest failed size until they are `granularity` apart. A size fails after
 * MAX_PROBES consecutive unacknowledged probes (one lost probe on a lossy path does not stop the
 * search). Then SEARCH_COMPLETE; PMTU_RAISE_TIMER later the search runs again.
 *
 * Black holes (§4.3, third indicator): the association reports T3-rtx expiries. Above BASE that
 * starts a confirmation probe of the PLPMTU itself; MAX_PROBES of those lost means the path no
 * longer carries it: the PLPMTU drops to BASE (state BASE, which probes BASE; failing that, ERROR),
 * then the search runs again below the size that failed.
 */
export class Plpmtud {
  private _state: PlpmtudState = 'disabled';
  private _plpmtu: number;
  private max: number;
  /** Smallest size known to fail in the current search; undefined when none is known. */
  private high: number | undefined;
  private step = INITIAL_STEP;
  /** The outstanding probe: its size and nonce (size 0 = none). */
  private probeSize = 0;
  private nonce: Buffer | undefined;
  /** PROBE_COUNT (§5.1.3): consecutive unacknowledged probes of probeSize. */
  private probeCount = 0;
  /** Probing the current PLPMTU after a data timeout (black-hole check). */
  private confirming = false;
  private readonly probeTimer: TimerSlot;
  private readonly raiseTimer: TimerSlot;
  private readonly counts = { probesSent: 0, probesAcked: 0, probesLost: 0, blackHoles: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly config: PlpmtudConfig,
    private readonly hooks: PlpmtudHooks,
  ) {
    if (config.base < MIN_PROBE_SIZE || config.base % 4 !== 0) {
      throw new RangeError(`PLPMTUD base ${config.base} must be a multiple of 4 and at least ${MIN_PROBE_SIZE}`);
    }
    this._plpmtu = config.base;
    this.max = Math.max(config.base, align4(config.max));
    this.probeTimer = new TimerSlot(clock, () => this.onProbeTimeout());
    this.raiseTimer = new TimerSlot(clock, () => this.restartSearch());
  }

  get state(): PlpmtudState {
    return this._state;
  }

  get plpmtu(): number {
    return this._plpmtu;
  }

  get stats(): PlpmtudStats {
    return { state: this._state, plpmtu: this._plpmtu, maxPlpmtu: this.max, ...this.counts };
  }

  /** The association is established: BASE is confirmed; search if the cap allows more. */
  start(): void {
    if (this._state !== 'disabled') return;
    this.restartSearch();
  }

  /** The association ended: no more probes or timers. */
  stop(): void {
    this._state = 'disabled';
    this.probeTimer.cancel();
    this.raiseTimer.cancel();
    this.probeSize = 0;
    this.nonce = undefined;
  }

  /**
   * A new MAX_PLPMTU (the lower layer learned the interface, or the path changed). A PLPMTU above
   * it drops at once; a higher cap starts a new search.
   */
  setMax(max: number): void {
    const m = Math.max(this.config.base, align4(max));
    if (m === this.max) return;
    const raised = m > this.max;
    this.max = m;
    if (this._plpmtu > m) this.setPlpmtu(m);
    if (this._state === 'disabled') return;
    // A search under way simply goes on towards the higher cap.
    if (raised && this._state === 'searching') return;
    this.restartSearch();
  }

  /**
   * A HEARTBEAT ACK arrived. Returns true when its info is one of our probes (the caller must not
   * treat it as an ordinary heartbeat answer), whether or not it is the outstanding one.
   */
  onHeartbeatAck(info: Buffer): boolean {
    const p = decodeProbeInfo(info);
    if (!p) return false;
    if (this.nonce === undefined || p.size !== this.probeSize || !p.nonce.equals(this.nonce)) return true;
    this.counts.probesAcked++;
    this.probeTimer.stop();
    const size = this.probeSize;
    this.probeSize = 0;
    this.nonce = undefined;
    this.probeCount = 0;
    if (this.confirming) {
      // §4.3: the PLPMTU still gets through; the timeout was ordinary loss.
      this.confirming = false;
    } else if (this._state === 'base') {
      this._state = 'searching';
    } else if (size > this._plpmtu) {
      this.setPlpmtu(size);
      if (this.high === undefined) this.step *= 2;
    }
    if (this._state === 'searching') this.probeNext();
    return true;
  }

  /** T3-rtx expired: data was lost. Above BASE, check that the PLPMTU still gets through (§4.3). */
  onDataTimeout(): void {
    if (this._state === 'disabled' || this._state === 'base' || this._state === 'error') return;
    if (this.confirming || this._plpmtu <= this.config.base) return;
    this.confirming = true;
    this.probeCount = 0;
    this.sendProbe(this._plpmtu);
  }

  private setPlpmtu(n: number): void {
    if (n === this._plpmtu) return;
    this._plpmtu = n;
    this.hooks.changed(n);
  }

  private restartSearch(): void {
    this.raiseTimer.stop();
    this.high = undefined;
    this.step = INITIAL_STEP;
    this.confirming = false;
    this.probeCount = 0;
    this._state = 'searching';
    this.probeNext();
  }

  /** The next size to try, or undefined when the search is over. */
  private candidate(): number | undefined {
    const p = this._plpmtu;
    if (this.high === undefined) return p < this.max ? Math.min(this.max, align4(p + this.step)) : undefined;
    if (this.high - p <= this.config.granularity) return undefined;
    const mid = align4(p + (this.high - p) / 2);
    return mid > p ? mid : undefined;
  }

  private probeNext(): void {
    const size = this.candidate();
    if (size === undefined) {
      this.probeTimer.stop();
      this.probeSize = 0;
      this.nonce = undefined;
      this._state = 'searchComplete';
      if (this._plpmtu < this.max) this.raiseTimer.start(this.config.raiseTimerMs);
      return;
    }
    this.probeCount = 0;
    this.sendProbe(size);
  }

  private sendProbe(size: number): void {
    const nonce = Buffer.allocUnsafe(8);
    nonce.writeUInt32BE(this.hooks.random() >>> 0, 0);
    nonce.writeUInt32BE(this.hooks.random() >>> 0, 4);
    this.probeSize = size;
    this.nonce = nonce;
    this.counts.probesSent++;
    this.probeTimer.start(Math.max(this.config.probeTimerMs, this.hooks.rtoMs()));
    this.hooks.sendProbe(size, encodeProbeInfo({ size, nonce, sentAt: this.clock.now() }));
  }

  private onProbeTimeout(): void {
    if (this._state === 'disabled' || this.probeSize === 0) return;
    this.counts.probesLost++;
    const size = this.probeSize;
    // §5.3.1: PROBE_COUNT counts consecutive losses; below MAX_PROBES the same size is tried again.
    if (++this.probeCount < this.config.maxProbes) {
      this.sendProbe(size);
      return;
    }
    this.probeSize = 0;
    this.nonce = undefined;
    this.probeCount = 0;
    if (this.confirming) {
      // §4.3: the path no longer carries the PLPMTU: back to BASE, and search again below it.
      this.confirming = false;
      this.counts.blackHoles++;
      this.setPlpmtu(this.config.base);
      this.high = size;
      this.step = INITIAL_STEP;
      this._state = 'base';
      this.sendProbe(this.config.base);
      return;
    }
    if (this._state === 'base') {
      // §5.2: BASE itself is not confirmed: ERROR. Stay at BASE (we never go below it) and let
      // SCTP's own path failure detection decide; try again after PMTU_RAISE_TIMER.
      this._state = 'error';
      this.raiseTimer.start(this.config.raiseTimerMs);
      return;
    }
    // The size failed: MAX_PROBES consecutive losses. Keep the last confirmed PLPMTU and bisect below.
    this.high = this.high === undefined ? size : Math.min(this.high, size);
    this.probeNext();
  }
}
