import type { RtcpPacket } from '../rtcp/index.js';
import type { Interceptor } from './interceptor.js';
import { TrendlineDetector, type BandwidthUsage } from './trendline.js';
import type { TwccPacketFeedback } from './twccSender.js';

export interface BandwidthEstimatorOptions {
  /** Starting estimate, bit/s. Default 300 000. */
  initialBitrate?: number;
  minBitrate?: number;
  maxBitrate?: number;
  /** Called when the target changes by more than 1 %. */
  onTargetBitrate?: (bitsPerSecond: number) => void;
}

const ACKED_WINDOW_MS = 500;

/**
 * Sender-side bandwidth estimation in the manner of GCC (draft-ietf-rmcat-gcc-02), our own code:
 * - delay-based (§5): TWCC send/arrival pairs → TrendlineDetector → AIMD rate controller:
 *   over-use → A = 0.85·R (R = acknowledged receive rate), under-use → hold, normal → A·1.08 per
 *   second, never above 1.5·R;
 * - loss-based (§6): per TWCC feedback, loss p > 10 % → As·(1 − 0.5p), p < 2 % → As·1.05 (at most
 *   every 200 ms), else hold;
 * - REMB (draft-alvestrand-rmcat-remb) received from the peer caps both.
 * target = clamp(min(A, As, REMB), min, max). Feed it with `TwccSender.onFeedback`; put it in the
 * chain to see REMB.
 */
export class BandwidthEstimator implements Interceptor {
  readonly detector = new TrendlineDetector();
  private delayBased: number;
  private lossBased: number;
  private remb = Infinity;
  private rateState: 'increase' | 'hold' | 'decrease' = 'increase';
  private lastUpdate = -1;
  private lastLossIncrease = -Infinity;
  private readonly acked: { at: number; bytes: number }[] = [];
  private ackedBytes = 0;
  private target: number;
  private readonly min: number;
  private readonly max: number;
  onTargetBitrate: ((bps: number) => void) | undefined;
  /** Last loss fraction seen in a feedback (0..1). */
  lastLossFraction = 0;

  constructor(options: BandwidthEstimatorOptions = {}) {
    const init = options.initialBitrate ?? 300_000;
    this.min = options.minBitrate ?? 30_000;
    this.max = options.maxBitrate ?? 10_000_000;
    if (!(this.min > 0 && this.min <= init && init <= this.max)) {
      throw new Error(`BandwidthEstimator needs 0 < minBitrate ≤ initialBitrate ≤ maxBitrate, got ${this.min}, ${init}, ${this.max}`);
    }
    this.delayBased = this.lossBased = this.target = init;
    this.onTargetBitrate = options.onTargetBitrate;
  }

  get targetBitrate(): number {
    return this.target;
  }
  get delayBasedBitrate(): number {
    return this.delayBased;
  }
  get lossBasedBitrate(): number {
    return this.lossBased;
  }
  get usage(): BandwidthUsage {
    return this.detector.state;
  }

  /** Acknowledged receive rate over the last 500 ms of arrivals, bit/s; undefined until known. */
  get ackedBitrate(): number | undefined {
    if (this.acked.length < 2) return undefined;
    const span = this.acked[this.acked.length - 1]!.at - this.acked[0]!.at;
    return span < 50 ? undefined : (this.ackedBytes * 8 * 1000) / Math.max(span, 1);
  }

  incomingRtcp(packets: RtcpPacket[], _now: number): RtcpPacket[] {
    for (const p of packets) {
      if (p.kind === 'remb' && Number.isFinite(p.bitrate) && p.bitrate > 0) {
        this.remb = p.bitrate;
        this.publish();
      }
    }
    return packets;
  }

  /** One TWCC feedback's results (from TwccSender.onFeedback), `nowMs` on the local clock. */
  onTwccFeedback(results: readonly TwccPacketFeedback[], nowMs: number): void {
    if (results.length === 0) return;
    let lost = 0;
    for (const r of results) {
      if (r.arrivalTimeMs === undefined) {
        lost++;
        continue;
      }
      if (!Number.isFinite(r.arrivalTimeMs) || !Number.isFinite(r.sendTimeMs)) continue;
      this.detector.onPacket(r.sendTimeMs, r.arrivalTimeMs);
      this.acked.push({ at: r.arrivalTimeMs, bytes: r.size });
      this.ackedBytes += r.size;
    }
    const newest = this.acked.length > 0 ? this.acked[this.acked.length - 1]!.at : 0;
    while (this.acked.length > 0 && newest - this.acked[0]!.at > ACKED_WINDOW_MS) this.ackedBytes -= this.acked.shift()!.bytes;
    this.updateDelayBased(nowMs);
    this.updateLossBased(lost / results.length, nowMs);
    this.publish();
  }

  private updateDelayBased(nowMs: number): void {
    const dt = this.lastUpdate < 0 ? 0 : Math.min(nowMs - this.lastUpdate, 1000);
    this.lastUpdate = nowMs;
    const usage = this.detector.state;
    // §5.5 state machine.
    if (usage === 'overusing') this.rateState = 'decrease';
    else if (usage === 'underusing') this.rateState = 'hold';
    else if (this.rateState === 'decrease' || this.rateState === 'hold') this.rateState = this.rateState === 'decrease' ? 'hold' : 'increase';
    const r = this.ackedBitrate;
    if (this.rateState === 'decrease') {
      this.delayBased = 0.85 * (r ?? this.delayBased);
      this.rateState = 'hold';
    } else if (this.rateState === 'increase') {
      this.delayBased *= Math.pow(1.08, dt / 1000);
      if (r !== undefined) this.delayBased = Math.min(this.delayBased, 1.5 * r);
    }
    this.delayBased = this.clamp(this.delayBased);
  }

  private updateLossBased(p: number, nowMs: number): void {
    this.lastLossFraction = p;
    if (p > 0.1) this.lossBased = this.clamp(this.lossBased * (1 - 0.5 * p));
    else if (p < 0.02 && nowMs - this.lastLossIncrease >= 200) {
      this.lossBased = this.clamp(this.lossBased * 1.05);
      this.lastLossIncrease = nowMs;
    }
  }

  private clamp(v: number): number {
    return Math.min(this.max, Math.max(this.min, v));
  }

  private publish(): void {
    const next = this.clamp(Math.min(this.delayBased, this.lossBased, this.remb));
    const changed = Math.abs(next - this.target) > this.target * 0.01;
    this.target = next;
    if (changed) this.onTargetBitrate?.(next);
  }
}
