/**
 * Delay-based congestion detection as described in draft-ietf-rmcat-gcc-02 §5 (our own code):
 * packets are grouped into bursts sent within 5 ms (§5.2); for consecutive groups the one-way
 * delay variation d = Δarrival − Δsend is accumulated, smoothed, and a least-squares slope over
 * the last WINDOW groups estimates whether queues are building. The over-use detector compares
 * the scaled trend against an adaptive threshold γ (§5.4).
 */
export type BandwidthUsage = 'normal' | 'overusing' | 'underusing';

const BURST_MS = 5;
const WINDOW = 20;
const SMOOTHING = 0.9;
const TREND_GAIN = 4;
const OVERUSE_TIME_MS = 10;
const K_UP = 0.01;
const K_DOWN = 0.00018;

interface Group {
  firstSend: number;
  lastSend: number;
  lastArrival: number;
}

export class TrendlineDetector {
  state: BandwidthUsage = 'normal';
  /** γ, ms (scaled-trend units), adapted per §5.4. */
  threshold = 12.5;
  /** The last scaled trend m(i), for diagnostics and tests. */
  trend = 0;
  private cur: Group | undefined;
  private prev: Group | undefined;
  private acc = 0;
  private smoothed = 0;
  private firstArrival = -1;
  private readonly points: { x: number; y: number }[] = [];
  private numDeltas = 0;
  private overuseTime = -1;
  private overuseCount = 0;
  private lastThresholdUpdate = -1;

  /** Feed one acknowledged packet (send and arrival times in ms, on their own clocks). */
  onPacket(sendMs: number, arrivalMs: number): void {
    const g = this.cur;
    if (g === undefined) {
      this.cur = { firstSend: sendMs, lastSend: sendMs, lastArrival: arrivalMs };
      return;
    }
    if (sendMs < g.firstSend) return; // reordered across groups: ignore (§5.2)
    if (sendMs - g.firstSend <= BURST_MS) {
      g.lastSend = Math.max(g.lastSend, sendMs);
      g.lastArrival = Math.max(g.lastArrival, arrivalMs);
      return;
    }
    if (this.prev !== undefined) this.onGroupDelta(g.lastSend - this.prev.lastSend, g.lastArrival - this.prev.lastArrival, g.lastArrival);
    this.prev = g;
    this.cur = { firstSend: sendMs, lastSend: sendMs, lastArrival: arrivalMs };
  }

  private onGroupDelta(sendDelta: number, arrivalDelta: number, arrivalMs: number): void {
    const d = arrivalDelta - sendDelta;
    this.numDeltas = Math.min(this.numDeltas + 1, 1000);
    if (this.firstArrival < 0) this.firstArrival = arrivalMs;
    this.acc += d;
    this.smoothed = SMOOTHING * this.smoothed + (1 - SMOOTHING) * this.acc;
    this.points.push({ x: arrivalMs - this.firstArrival, y: this.smoothed });
    if (this.points.length > WINDOW) this.points.shift();
    let slope = 0;
    if (this.points.length === WINDOW) slope = linearSlope(this.points);
    const m = Math.min(this.numDeltas, 60) * slope * TREND_GAIN;
    this.detect(m, sendDelta, arrivalMs);
  }

  private detect(m: number, sendDelta: number, nowMs: number): void {
    const prevTrend = this.trend;
    this.trend = m;
    if (m > this.threshold) {
      this.overuseTime = this.overuseTime < 0 ? sendDelta / 2 : this.overuseTime + sendDelta;
      this.overuseCount++;
      if (this.overuseTime > OVERUSE_TIME_MS && this.overuseCount > 1 && m >= prevTrend) {
        this.state = 'overusing';
        this.overuseTime = 0;
        this.overuseCount = 0;
      }
    } else if (m < -this.threshold) {
      this.state = 'underusing';
      this.overuseTime = -1;
      this.overuseCount = 0;
    } else {
      this.state = 'normal';
      this.overuseTime = -1;
      this.overuseCount = 0;
    }
    this.updateThreshold(m, nowMs);
  }

  /** §5.4: γ += Δt·K·(|m| − γ), K_u when |m| > γ else K_d; spikes far above γ are ignored. */
  private updateThreshold(m: number, nowMs: number): void {
    if (this.lastThresholdUpdate < 0) this.lastThresholdUpdate = nowMs;
    const abs = Math.abs(m);
    if (abs > this.threshold + 15) {
      this.lastThresholdUpdate = nowMs;
      return;
    }
    const k = abs < this.threshold ? K_DOWN : K_UP;
    const dt = Math.min(nowMs - this.lastThresholdUpdate, 100);
    this.threshold = Math.min(600, Math.max(6, this.threshold + k * (abs - this.threshold) * dt));
    this.lastThresholdUpdate = nowMs;
  }
}

/** Least-squares slope of y over x. */
export function linearSlope(points: readonly { x: number; y: number }[]): number {
  let sx = 0, sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / points.length, my = sy / points.length;
  let num = 0, den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) * (p.x - mx);
  }
  return den === 0 ? 0 : num / den;
}
