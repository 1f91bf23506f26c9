import type { Clock } from '@rivulet/common';
import type { KeyframeRequestReason } from './types.js';

/**
 * Tracks whether the decoder's reference chain is intact (a keyframe since the
 * last loss) and decides when to ask for a keyframe: at once when a loss
 * breaks an intact chain, then at most every `intervalMs` while still waiting
 * (RFC 4585 §6.3.1 leaves PLI pacing to the receiver; repeating covers a lost
 * PLI or a lost keyframe).
 */
export class ReferenceChain {
  private broken: boolean;
  private lastRequestAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    /** Audio: frames stand alone, the chain never breaks. */
    private readonly independentFrames: boolean,
    private readonly request: (reason: KeyframeRequestReason) => void,
  ) {
    this.broken = !independentFrames; // no keyframe seen yet
  }

  get needsKeyframe(): boolean {
    return this.broken;
  }

  /** A frame was lost or unusable. */
  loss(): void {
    if (this.independentFrames) return;
    const newEpisode = !this.broken;
    this.broken = true;
    this.ask('loss', newEpisode);
  }

  /** Whether a complete frame can be decoded; asks again for a keyframe when it cannot. */
  accept(keyframe: boolean): boolean {
    if (!this.broken) return true;
    if (keyframe) {
      this.broken = false;
      return true;
    }
    this.ask(this.lastRequestAt === -Infinity ? 'noKeyframeYet' : 'stillWaiting', false);
    return false;
  }

  private ask(reason: KeyframeRequestReason, force: boolean): void {
    const now = this.clock.now();
    if (!force && now - this.lastRequestAt < this.intervalMs) return;
    this.lastRequestAt = now;
    this.request(reason);
  }
}
