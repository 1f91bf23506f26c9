import { RTCPeerConnection, type RivuletOptions, type RTCSessionDescriptionInit } from '@rivulet/webrtc';
import { until, type PageLike } from './wait.js';

export type { PageLike } from './wait.js';

/**
 * Rivulet's half of the signaling the browser e2e tests share. The tests exchange whole
 * descriptions after ICE gathering (no trickle), through page.evaluate: Rivulet's description
 * is complete once its gathering state is 'complete' (webrtc-pc §4.4.1.5, the candidates are
 * then in localDescription), and the page waits likewise (pageScripts.ts, window.gathered).
 */

/** A Rivulet peer that gathers host candidates on 127.0.0.1 only (the tests' only network). */
export function loopbackPeer(options: Omit<RivuletOptions, 'interfaceAddresses'> = {}): RTCPeerConnection {
  return new RTCPeerConnection({ rivulet: { ...options, interfaceAddresses: ['127.0.0.1'] } });
}

/** Waits (at most `ms`) until Rivulet's gathering is complete, so its description carries every candidate. */
export function gathered(pc: RTCPeerConnection, ms = 5000): Promise<void> {
  return until(() => pc.iceGatheringState === 'complete', ms, 'Rivulet gathering complete');
}

/** Applies the page's offer, answers, waits for gathering; resolves with the complete answer. */
export async function answerWithCandidates(pc: RTCPeerConnection, offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> {
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription();
  await gathered(pc);
  return pc.localDescription!.toJSON();
}

/** Creates Rivulet's offer and waits for gathering; resolves with the complete offer. */
export async function offerWithCandidates(pc: RTCPeerConnection): Promise<RTCSessionDescriptionInit> {
  await pc.setLocalDescription();
  await gathered(pc);
  return pc.localDescription!.toJSON();
}

/** `pageVar.setRemoteDescription(description)` in the page, e.g. pageVar 'window.pc'. */
export async function applyInPage(page: PageLike, pageVar: string, description: RTCSessionDescriptionInit): Promise<void> {
  await page.evaluate(`${pageVar}.setRemoteDescription(${JSON.stringify(description)})`);
}

/** The page offered (its peer is `pageVar`): Rivulet answers with its candidates and the page applies the answer. */
export async function acceptPageOffer(page: PageLike, pageVar: string, pc: RTCPeerConnection, offer: RTCSessionDescriptionInit): Promise<void> {
  await applyInPage(page, pageVar, await answerWithCandidates(pc, offer));
}

/**
 * Rivulet offers with its candidates; `answerJs(offerJson)` is the page expression that applies
 * the offer and resolves with the page's answer, which Rivulet then applies. Resolves with it.
 */
export async function offerToPage(page: PageLike, pc: RTCPeerConnection, answerJs: (offerJson: string) => string): Promise<RTCSessionDescriptionInit> {
  const offer = await offerWithCandidates(pc);
  const answer = (await page.evaluate(answerJs(JSON.stringify(offer)))) as RTCSessionDescriptionInit;
  await pc.setRemoteDescription(answer);
  return answer;
}
