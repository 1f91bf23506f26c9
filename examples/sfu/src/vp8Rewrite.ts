/**
 * VP8 payload descriptor rewriting for simulcast switches (RFC 7741 §4.2).
 *
 * Each simulcast layer numbers its pictures on its own: PictureID and
 * TL0PICIDX jump when a subscriber moves from one layer to another. A
 * receiver orders frames by PictureID (libwebrtc drops frames that look older
 * than the last decoded one), so after a switch the new layer's numbers are
 * shifted to continue the old ones, as the RTP sequence numbers are.
 */
import { rtpPayloadOffset } from './keyframe.js';

export class Vp8PictureIdRewriter {
  #pidOffset = 0;
  #tl0Offset = 0;
  #lastPid = -1;
  #lastTl0 = -1;
  #rebase = true;

  /** The next packet starts a new input stream (a layer switch): continue the numbering from it. */
  rebase(): void {
    this.#rebase = true;
  }

  /**
   * Rewrites PictureID/TL0PICIDX of `p` in place (a copy owned by the caller). Malformed packets
   * are left alone. `latest` false: a late packet (a retransmission) — rewritten with the same
   * offsets, but the numbering a later switch continues from is not moved back.
   */
  rewrite(p: Buffer, latest = true): void {
    let off = rtpPayloadOffset(p);
    if (off < 0 || !(p[off]! & 0x80)) return; // no X byte: nothing numbered (§4.2)
    off++;
    if (off >= p.length) return;
    const x = p[off++]!;
    let pidAt = -1;
    let pidBits = 0;
    if (x & 0x80) {
      if (off >= p.length) return;
      pidAt = off;
      pidBits = p[off]! & 0x80 ? 15 : 7;
      off += pidBits === 15 ? 2 : 1;
    }
    const tl0At = x & 0x40 ? off : -1;
    if (pidAt + (pidBits === 15 ? 1 : 0) >= p.length || tl0At >= p.length) return;
    const pidMod = pidBits === 15 ? 0x8000 : 0x80;
    const inPid = pidAt < 0 ? -1 : pidBits === 15 ? ((p[pidAt]! & 0x7f) << 8) | p[pidAt + 1]! : p[pidAt]! & 0x7f;
    const inTl0 = tl0At < 0 ? -1 : p[tl0At]!;
    if (this.#rebase) {
      this.#rebase = false;
      this.#pidOffset = inPid < 0 || this.#lastPid < 0 ? 0 : (this.#lastPid + 1 - inPid + 0x8000) % 0x8000;
      this.#tl0Offset = inTl0 < 0 || this.#lastTl0 < 0 ? 0 : (this.#lastTl0 + 1 - inTl0 + 256) & 0xff;
    }
    if (inPid >= 0) {
      const pid = (inPid + this.#pidOffset) % pidMod;
      if (pidBits === 15) {
        p[pidAt] = 0x80 | (pid >> 8);
        p[pidAt + 1] = pid & 0xff;
      } else {
        p[pidAt] = pid & 0x7f;
      }
      if (latest) this.#lastPid = pid;
    }
    if (inTl0 >= 0) {
      const tl0 = (inTl0 + this.#tl0Offset) & 0xff;
      p[tl0At] = tl0;
      if (latest) this.#lastTl0 = tl0;
    }
  }
}
