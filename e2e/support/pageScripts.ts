/**
 * Page-side JavaScript the browser e2e tests share, as strings for page.evaluate (no TypeScript
 * transform of ours ever reaches the browser). Evaluate a script again after every page reload.
 */

export interface PageGatheredOptions {
  /** How long the page waits for iceGatheringState 'complete'. */
  timeoutMs: number;
  /**
   * Reject at the timeout with an error naming this browser. Without it the page resolves at
   * the timeout and sends what it has: Chromium gathers loopback host candidates at once, and
   * its gathering can stay open for a while on interfaces the namespace does not have.
   */
  failAs?: string;
}

/**
 * Defines `window.gathered(pc)`: resolves once the page's peer finished gathering, so its
 * localDescription carries every candidate and no trickle is needed.
 */
export function pageGatheredScript(options: PageGatheredOptions): string {
  const onTimeout = options.failAs === undefined
    ? 'resolve'
    : `() => reject(new Error(${JSON.stringify(`${options.failAs}: ICE gathering not complete within ${options.timeoutMs / 1000} s`)}))`;
  return `window.gathered = (pc) => new Promise((resolve, reject) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  const t = setTimeout(${onTimeout}, ${options.timeoutMs});
  pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
});
`;
}

/** Chromium: wait up to 3 s, then go on with the candidates gathered so far. */
export const CHROMIUM_GATHERED = pageGatheredScript({ timeoutMs: 3000 });
/** Firefox: wait up to 10 s, then fail (a Firefox without candidates cannot connect). */
export const FIREFOX_GATHERED = pageGatheredScript({ timeoutMs: 10_000, failAs: 'Firefox' });

/**
 * A page expression that creates `window[pageVar]`, runs `setup` (statements using `pc`), offers,
 * waits for gathering (window.gathered must be defined) and resolves with the complete offer.
 */
export function pageOffer(pageVar: string, setup: string): string {
  return `(async () => {
  const pc = new RTCPeerConnection(); window.${pageVar} = pc;
  ${setup}
  await pc.setLocalDescription(); await window.gathered(pc);
  return pc.localDescription.toJSON();
})()`;
}

/**
 * A function for signaling.ts offerToPage: creates `window[pageVar]`, runs `setup`, applies
 * Rivulet's offer, answers, waits for gathering and resolves with the complete answer.
 */
export function pageAnswer(pageVar: string, setup = ''): (offerJson: string) => string {
  return (offerJson) => `(async () => {
  const pc = new RTCPeerConnection(); window.${pageVar} = pc;
  ${setup}
  await pc.setRemoteDescription(${offerJson});
  await pc.setLocalDescription(); await window.gathered(pc);
  return pc.localDescription.toJSON();
})()`;
}
