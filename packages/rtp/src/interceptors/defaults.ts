import { BandwidthEstimator, type BandwidthEstimatorOptions } from './bandwidthEstimator.js';
import type { Interceptor } from './interceptor.js';
import { KeyframeRequests, type KeyframeRequestsOptions } from './keyframeRequests.js';
import { NackGenerator, type NackGeneratorOptions } from './nackGenerator.js';
import { NackResponder, type NackResponderOptions } from './nackResponder.js';
import { RtcpReports, type RtcpReportsOptions } from './reports.js';
import { StreamStats } from './streamStats.js';
import { TwccReceiver, type TwccReceiverOptions } from './twccReceiver.js';
import { TwccSender } from './twccSender.js';

export interface DefaultInterceptorsOptions {
  nackGenerator?: NackGeneratorOptions;
  nackResponder?: NackResponderOptions;
  reports?: RtcpReportsOptions;
  twccReceiver?: TwccReceiverOptions;
  keyframes?: KeyframeRequestsOptions;
  bandwidth?: BandwidthEstimatorOptions;
}

/** The browser-like set, wired together, in the order the chain needs. */
export interface DefaultInterceptors {
  /** Pass to `new InterceptorChain(list, clock, transport)`. */
  list: Interceptor[];
  nackGenerator: NackGenerator;
  nackResponder: NackResponder;
  keyframes: KeyframeRequests;
  reports: RtcpReports;
  twccSender: TwccSender;
  twccReceiver: TwccReceiver;
  bandwidth: BandwidthEstimator;
  stats: StreamStats;
}

/**
 * Order matters: the TWCC receiver first (it records the transport-wide number of every packet,
 * including RTX padding probes and duplicate retransmissions the NACK generator then stops —
 * a number it never saw is reported lost and the sender's estimate collapses), then the NACK
 * generator (incoming RTX is unwrapped before anyone counts it), the responder before the TWCC
 * stamper (retransmissions get fresh transport numbers), reports before stats, and stats last
 * (it sees everything the others emit).
 */
export function createDefaultInterceptors(options: DefaultInterceptorsOptions = {}): DefaultInterceptors {
  const nackGenerator = new NackGenerator(options.nackGenerator);
  const nackResponder = new NackResponder(options.nackResponder);
  const keyframes = new KeyframeRequests(options.keyframes);
  // RFC 3611 DLRR answers and round-trip measurement on: a receiver learns its round trip too
  // (remote-outbound-rtp). Our own RRTRs wait for negotiation (a=rtcp-xr:rcvr-rtt, §5.1):
  // reports.setReceiverReferenceTime(true) once the peer's description has it.
  const reports = new RtcpReports({ extendedReports: true, receiverReferenceTime: false, ...options.reports });
  const bandwidth = new BandwidthEstimator(options.bandwidth);
  const twccSender = new TwccSender({ onFeedback: (r, now) => bandwidth.onTwccFeedback(r, now) });
  const twccReceiver = new TwccReceiver(options.twccReceiver);
  const stats = new StreamStats(reports);
  // RTT measured on what we send also paces our NACKs for what we receive (same path, both ways).
  const userRtt = reports.onRoundTripTime;
  reports.onRoundTripTime = (ssrc, rtt) => {
    nackGenerator.setRoundTripTime(rtt);
    userRtt?.(ssrc, rtt);
  };
  return {
    list: [twccReceiver, nackGenerator, nackResponder, keyframes, twccSender, bandwidth, reports, stats],
    nackGenerator, nackResponder, keyframes, reports, twccSender, twccReceiver, bandwidth, stats,
  };
}
