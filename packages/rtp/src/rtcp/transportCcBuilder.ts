import { checkUint } from './header.js';
import { type RtcpTransportCc, type TwccChunk, TwccStatus, twccStatuses } from './transportCc.js';

/** One packet's fate as reported by a TWCC feedback. */
export interface TwccPacketResult {
  sequenceNumber: number;
  received: boolean;
  /** Arrival time in µs on the feedback sender's clock (reference time base); undefined if lost or no delta. */
  receivedAtUs?: number;
}

const TICK_US = 250; // §3.1.5: deltas are multiples of 250 µs
const REF_US = 64000; // §3.1: reference time is in multiples of 64 ms

/** Expands a feedback into per-packet results with absolute arrival times. */
export function twccPacketResults(fb: RtcpTransportCc): TwccPacketResult[] {
  const statuses = twccStatuses(fb.chunks, fb.packetStatusCount);
  const out: TwccPacketResult[] = [];
  let t = fb.referenceTime * REF_US;
  let k = 0;
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i]!;
    const sequenceNumber = (fb.baseSequenceNumber + i) & 0xffff;
    if (s === TwccStatus.SmallDelta || s === TwccStatus.LargeDelta) {
      t += fb.recvDeltas[k++]! * TICK_US;
      out.push({ sequenceNumber, received: true, receivedAtUs: t });
    } else {
      out.push({ sequenceNumber, received: s === TwccStatus.ReceivedNoDelta });
    }
  }
  return out;
}

export interface TwccBuildParams {
  senderSsrc: number;
  mediaSsrc: number;
  baseSequenceNumber: number;
  feedbackPacketCount: number;
  /** Arrival time in µs of base+i, or undefined when packet base+i was not received. */
  arrivalsUs: ReadonlyArray<number | undefined>;
}

/**
 * Builds a feedback from arrival times: reference time = first arrival rounded
 * down to 64 ms; deltas rounded to 250 µs with the rounding error carried so it
 * does not accumulate; chunks chosen greedily (run length for runs of 7 or
 * more equal statuses, else the densest status vector that fits).
 * Throws when a gap between arrivals exceeds the 16-bit large delta (~8.2 s):
 * the caller must then split the feedback.
 */
export function buildTransportCc(params: TwccBuildParams): RtcpTransportCc {
  const { arrivalsUs } = params;
  checkUint('TWCC packet count', arrivalsUs.length, 16);
  const first = arrivalsUs.find((t) => t !== undefined);
  const referenceTime = first === undefined ? 0 : Math.floor(first / REF_US);
  if (first !== undefined && first < 0) throw new Error(`TWCC arrival time must be non-negative, got ${first}`);
  const statuses: number[] = [];
  const recvDeltas: number[] = [];
  let last = referenceTime * REF_US;
  for (const t of arrivalsUs) {
    if (t === undefined) {
      statuses.push(TwccStatus.NotReceived);
      continue;
    }
    const ticks = Math.round((t - last) / TICK_US) || 0; // no -0
    if (ticks >= 0 && ticks <= 255) statuses.push(TwccStatus.SmallDelta);
    else if (ticks >= -32768 && ticks <= 32767) statuses.push(TwccStatus.LargeDelta);
    else throw new Error(`TWCC receive delta of ${t - last} µs does not fit 16 bits; split the feedback`);
    recvDeltas.push(ticks);
    last += ticks * TICK_US;
  }
  return {
    kind: 'twcc',
    senderSsrc: params.senderSsrc,
    mediaSsrc: params.mediaSsrc,
    baseSequenceNumber: params.baseSequenceNumber,
    packetStatusCount: statuses.length,
    referenceTime: referenceTime & 0xffffff,
    feedbackPacketCount: params.feedbackPacketCount,
    chunks: encodeTwccChunks(statuses),
    recvDeltas,
  };
}

/** Greedy chunk encoding of per-packet statuses (§3.1.3, §3.1.4). */
export function encodeTwccChunks(statuses: readonly number[]): TwccChunk[] {
  const chunks: TwccChunk[] = [];
  let i = 0;
  while (i < statuses.length) {
    const s = statuses[i]!;
    let run = 1;
    while (i + run < statuses.length && statuses[i + run] === s && run < 0x1fff) run++;
    if (run >= 7 || i + run === statuses.length) {
      chunks.push({ type: 'runLength', status: s, runLength: run });
      i += run;
      continue;
    }
    const window14 = statuses.slice(i, i + 14);
    if (window14.length === 14 && window14.every((x) => x <= 1)) {
      chunks.push({ type: 'statusVector', symbolSize: 1, symbols: window14 });
      i += 14;
      continue;
    }
    const window7 = statuses.slice(i, i + 7);
    i += window7.length;
    // Symbols past packetStatusCount are written and read back as 0; keep the chunk full-length.
    while (window7.length < 7) window7.push(0);
    chunks.push({ type: 'statusVector', symbolSize: 2, symbols: window7 });
  }
  return chunks;
}
