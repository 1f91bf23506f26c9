/**
 * RTP through a whole peer connection on 127.0.0.1: the sender's track is fed RTP (passthrough,
 * as an SFU forwards), the packets cross SSRC/sequence rewriting, the interceptor chain, SRTP,
 * UDP, SRTP again, demultiplexing and the receiver's track. Paced at RATE packets/s (so the
 * loopback socket buffers never overflow), we measure the process CPU time (user + system, both
 * peers live in this process) per delivered packet. Ours beside werift's RTCPeerConnection
 * (track.writeRtp → onReceiveRtp) in the same run; interleaved runs, medians.
 * Run: node --conditions=rivulet-source --import tsx bench/webrtc-forward.ts [packets] [rate]
 */
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection as WeriftPeerConnection, MediaStreamTrack as WeriftTrack, RtpPacket as WeriftRtp } from 'werift';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, readTrack } from '@rivulet/webrtc';
import { RtpPacket } from '@rivulet/rtp';

const PACKETS = Number(process.argv[2] ?? 10000);
const RATE = Number(process.argv[3] ?? 4000);
const RUNS = 3;
const BATCH = 10;

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

function packets(pt: number): Buffer[] {
  return Array.from({ length: PACKETS }, (_, i) => new RtpPacket({ payloadType: pt, sequenceNumber: i & 0xffff, timestamp: i * 30, ssrc: 0x1234, marker: i % 10 === 9, payload: Buffer.alloc(1100, i & 0xff) }).serialize());
}

/** A packet just before the measured ones (sequence 65535), so none of those is a replay. */
function warm(pt: number): Buffer {
  return new RtpPacket({ payloadType: pt, sequenceNumber: 65535, timestamp: 0, ssrc: 0x1234, payload: Buffer.alloc(1100) }).serialize();
}

/** Sends BATCH packets every BATCH/RATE seconds; returns [CPU µs per delivered packet, delivered]. */
async function pump(send: (p: Buffer) => void, data: Buffer[], delivered: () => number): Promise<[number, number]> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    for (let k = i; k < Math.min(i + BATCH, data.length); k++) send(data[k]!);
    const due = t0 + ((i + BATCH) / RATE) * 1000;
    const wait = due - performance.now();
    await new Promise((r) => (wait > 1 ? setTimeout(r, wait) : setImmediate(r)));
  }
  await until(() => delivered() >= data.length, 2000);
  const cpu = process.cpuUsage(cpu0);
  const got = delivered();
  return [(cpu.user + cpu.system) / Math.max(1, got), got];
}

async function rivulet(): Promise<[number, number]> {
  const config = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const src = new MediaStreamTrackSource({ kind: 'video' });
  a.addTrack(src.createTrack(), new MediaStream());
  let n = 0;
  b.ontrack = (e) => readTrack(e.track, { rtp: () => n++ });
  await a.setLocalDescription();
  await until(() => a.iceGatheringState === 'complete', 5000);
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await until(() => b.iceGatheringState === 'complete', 5000);
  await a.setRemoteDescription(b.localDescription!);
  await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 10000);
  src.writeRtp(warm(96)); // warm the path (the receiver binds its stream on the first packet)
  await until(() => n === 1, 2000);
  n = 0;
  const r = await pump((p) => src.writeRtp(p), packets(96), () => n);
  a.close();
  b.close();
  return r;
}

async function werift(): Promise<[number, number]> {
  const opts = { iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false };
  const a = new WeriftPeerConnection(opts);
  const b = new WeriftPeerConnection(opts);
  const track = new WeriftTrack({ kind: 'video' });
  a.addTransceiver(track, { direction: 'sendonly' });
  let n = 0;
  b.onTrack.subscribe((t) => t.onReceiveRtp.subscribe(() => n++));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 10000);
  const pt = Number(/m=video \d+ \S+ (\d+)/.exec(b.localDescription!.sdp)![1]);
  track.writeRtp(WeriftRtp.deSerialize(warm(pt)));
  await until(() => n === 1, 2000);
  n = 0;
  const r = await pump((p) => track.writeRtp(p), packets(pt), () => n);
  await a.close();
  await b.close();
  return r;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
const ours: number[] = [];
const theirs: number[] = [];
const oursLoss: number[] = [];
const theirsLoss: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [us, got] = await rivulet();
  ours.push(us);
  oursLoss.push(PACKETS - got);
  const [wus, wgot] = await werift();
  theirs.push(wus);
  theirsLoss.push(PACKETS - wgot);
}
console.log(`${PACKETS} RTP packets of 1112 bytes at ${RATE}/s through a peer connection pair on 127.0.0.1 (send + receive in this process); median of ${RUNS} interleaved runs (shared 2-core machine: noisy)`);
console.log(`CPU per delivered packet   rivulet ${median(ours).toFixed(1).padStart(6)} µs   werift ${median(theirs).toFixed(1).padStart(6)} µs   ratio (werift/rivulet) ${(median(theirs) / median(ours)).toFixed(2)}x`);
console.log(`not delivered (of ${PACKETS})  rivulet ${median(oursLoss)}   werift ${median(theirsLoss)}`);
process.exit(0);
