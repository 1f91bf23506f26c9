/**
 * Media between Rivulet and libdatachannel (node-datachannel's Track API), both directions in one
 * connection that node-datachannel offers:
 *  - mid 0 (node-datachannel recvonly): Rivulet sends H.264 frames from an FfmpegSource (test
 *    pattern → libx264) written into a MediaStreamTrackSource; node-datachannel's track hands us
 *    the RTP it received, whose SSRC and payload type must be the ones Rivulet's answer declares,
 *    and our depayloader must rebuild access units byte-identical to the ones Rivulet was given;
 *  - mid 1 (node-datachannel sendonly, its own SSRC): node-datachannel sends RTP that our H.264
 *    payloader made from libx264 access units, and Rivulet's EncodedFrameReader must rebuild every
 *    one of them, byte-identical, in order, key frame first.
 */
import { expect } from 'chai';
import ndc from 'node-datachannel';
import { EncodedFrameReader, FfmpegSource, findFfmpeg, type ReceivedFrame } from '@rivulet/media';
import { H264AccessUnitSplitter, H264Payloader, JitterBuffer, RtpPacket, createDepayloader, joinAnnexB, splitAnnexB } from '@rivulet/rtp';
import { realClock } from '@rivulet/common';
import { MediaStreamTrackSource, RTCPeerConnection } from '@rivulet/webrtc';
import { spawnSync } from 'node:child_process';
import { requireTool } from './support/tools.js';

const NDC_SEND_SSRC = 0x5eed0001;
const PT_RECV = 96; // node-datachannel receives on mid 0
const PT_SEND = 98; // node-datachannel sends on mid 1

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The NAL units of an Annex B access unit, whatever its start-code lengths, as hex for comparison. */
function nals(au: Buffer): string[] {
  return splitAnnexB(au).map((n) => n.toString('hex'));
}

/** RFC 5761 §4: a second byte of 192..223 is an RTCP packet type, not an RTP marker + payload type. */
function isRtcp(b: Buffer): boolean {
  return b.length >= 2 && b[1]! >= 192 && b[1]! <= 223;
}

describe('media interop with libdatachannel (node-datachannel Track API)', function () {
  this.timeout(60_000);
  let ffmpeg: string;

  before(function () {
    const found = findFfmpeg();
    requireTool(this, found ?? process.env['RIVULET_FFMPEG'] ?? 'ffmpeg (on PATH)', 'ffmpeg');
    ffmpeg = found!;
  });

  it('H.264 both ways: Rivulet → node-datachannel (SSRC/PT as negotiated, AUs byte-identical) and node-datachannel → Rivulet frame reader (every AU byte-identical, in order)', async () => {
    const peer = new ndc.PeerConnection('rivulet-media', { iceServers: [], bindAddress: '127.0.0.1', disableAutoNegotiation: true });
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    const source = new FfmpegSource({ input: { type: 'test-pattern', width: 320, height: 240, frameRate: 30 }, video: { codec: 'H264', frameRate: 30, keyframeInterval: 30 } });
    const errors: unknown[] = [];
    try {
      const recvMedia = new ndc.Video('0', 'RecvOnly');
      recvMedia.addH264Codec(PT_RECV);
      const sendMedia = new ndc.Video('1', 'SendOnly');
      sendMedia.addH264Codec(PT_SEND);
      sendMedia.addSSRC(NDC_SEND_SSRC, 'ndc-cname', 'ndc-stream', 'ndc-track');
      const ndcRecv = peer.addTrack(recvMedia);
      const ndcSend = peer.addTrack(sendMedia);
      const received: Buffer[] = [];
      ndcRecv.onMessage((m) => { if (!isRtcp(m)) received.push(Buffer.from(m)); });

      // Signaling: node-datachannel offers, Rivulet answers; candidates trickle both ways.
      pc.onicecandidate = (e) => { if (e.candidate?.candidate) peer.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0'); };
      let pending: { candidate: string; sdpMid: string }[] | undefined = [];
      peer.onLocalCandidate((candidate, mid) => {
        if (pending) pending.push({ candidate, sdpMid: mid });
        else pc.addIceCandidate({ candidate, sdpMid: mid }).catch((e: unknown) => errors.push(e));
      });
      const offer = new Promise<string>((resolve) => peer.onLocalDescription((sdp, type) => { if (type.toLowerCase() === 'offer') resolve(sdp); }));
      peer.setLocalDescription();
      let reader: EncodedFrameReader | undefined;
      const frames: ReceivedFrame[] = [];
      pc.ontrack = (e) => {
        reader = new EncodedFrameReader(e.track, e.receiver);
        reader.on('frame', (f) => frames.push(f));
      };
      await pc.setRemoteDescription({ type: 'offer', sdp: await offer });
      for (const c of pending) await pc.addIceCandidate(c);
      pending = undefined;
      const t0 = pc.getTransceivers().find((t) => t.mid === '0')!;
      const t1 = pc.getTransceivers().find((t) => t.mid === '1')!;
      expect(t1.receiver.track.kind).to.equal('video');
      expect(reader, 'ontrack for node-datachannel\'s sendonly section').to.not.equal(undefined);
      const trackSource = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/H264' });
      await t0.sender.replaceTrack(trackSource.createTrack());
      t0.direction = 'sendonly';
      await pc.setLocalDescription();
      const answer = pc.localDescription!.sdp;
      peer.setRemoteDescription(answer, 'answer');
      await until(() => errors.length > 0 || (pc.connectionState === 'connected' && ndcRecv.isOpen() && ndcSend.isOpen()), 15_000, 'connected, both node-datachannel tracks open');
      if (errors.length) throw errors[0];

      // The SSRC and payload type Rivulet declared for mid 0, from its answer.
      const section0 = answer.split(/\r\nm=/)[1]!;
      const ourSsrc = Number(/a=ssrc:(\d+) /.exec(section0)?.[1]);
      expect(Number.isFinite(ourSsrc), 'a=ssrc in our mid 0 answer').to.equal(true);
      expect(section0).to.match(new RegExp(`a=rtpmap:${PT_RECV} H264/90000`));
      expect(t0.sender.getParameters().codecs[0]).to.deep.include({ mimeType: 'video/H264', payloadType: PT_RECV });

      // --- Rivulet → node-datachannel: FfmpegSource frames into the track.
      const sent: Buffer[] = [];
      source.on('frame', (f) => {
        if (sent.length >= 60) return;
        sent.push(f.data);
        trackSource.writeFrame({ data: f.data, timestamp: f.timestampUs, keyframe: f.keyframe });
      });
      source.start();
      // --- node-datachannel → Rivulet: our payloader's packets, sent by its track, paced.
      const h264 = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '2',
        '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '30', '-bf', '0', '-f', 'h264', '-'], { maxBuffer: 32 << 20 }).stdout;
      const splitter = new H264AccessUnitSplitter();
      const units = [...splitter.push(h264), ...splitter.flush()].map((au) => joinAnnexB(au.nalUnits));
      expect(units).to.have.length(60);
      const payloader = new H264Payloader({ maxPayloadSize: 1100 });
      let seq = 40_000;
      let packetsSentByNdc = 0;
      for (let i = 0; i < units.length; i++) {
        for (const p of payloader.payload(units[i]!)) {
          const rtp = new RtpPacket({ payloadType: PT_SEND, sequenceNumber: seq++ & 0xffff, timestamp: (1_000_000 + i * 3000) >>> 0, ssrc: NDC_SEND_SSRC, marker: p.marker, payload: p.payload });
          expect(ndcSend.sendMessageBinary(rtp.serialize())).to.equal(true);
          packetsSentByNdc++;
        }
        await new Promise((r) => setTimeout(r, 8));
      }
      await until(() => frames.length >= units.length && sent.length >= 60, 20_000, `${units.length} frames at Rivulet and 60 frames from ffmpeg`);

      // Rivulet's frame reader: every AU, in order, byte-identical, key frame first, 33 333 µs apart.
      expect(frames.map((f) => f.data.equals(units[frames.indexOf(f)]!))).to.deep.equal(units.map(() => true));
      expect(frames[0]!.keyframe).to.equal(true);
      expect(frames.filter((f) => f.keyframe)).to.have.length(2);
      expect(frames.map((f) => f.timestamp)).to.deep.equal(units.map((_, i) => Math.round((i * 3000 * 1e6) / 90000)));
      expect(frames.every((f) => f.ssrc === NDC_SEND_SSRC && f.payloadType === PT_SEND && f.codec === 'video/H264')).to.equal(true);
      expect(reader!.counters.toJSON()).to.deep.include({ packets: packetsSentByNdc, frames: 60, keyframes: 2 });
      expect(reader!.counters.get('packetsLost')).to.equal(0);

      // node-datachannel's side: RTP with our SSRC and payload type; depayloaded → our AUs.
      await until(() => received.length > 0 && RtpPacket.parse(received[received.length - 1]!).timestamp !== RtpPacket.parse(received[0]!).timestamp, 5000, 'RTP at node-datachannel');
      await new Promise((r) => setTimeout(r, 300)); // the tail of the last frames
      const packets = received.map((b) => RtpPacket.parse(b));
      expect(new Set(packets.map((p) => p.ssrc))).to.deep.equal(new Set([ourSsrc]));
      expect(new Set(packets.map((p) => p.payloadType))).to.deep.equal(new Set([PT_RECV]));
      const jb = new JitterBuffer<RtpPacket>({ clock: realClock, depayloader: createDepayloader('H264') });
      const rebuilt: Buffer[] = [];
      jb.on('frame', (f) => rebuilt.push(f.data));
      for (const p of packets) jb.insert(p);
      jb.close();
      expect(rebuilt.length, 'access units rebuilt from node-datachannel\'s RTP').to.equal(60);
      expect(jb.counters.get('packetsLost')).to.equal(0);
      // The source started after the connection was up: every AU FfmpegSource produced, NAL for NAL
      // (start-code lengths may differ: our depayloader writes 4-byte ones).
      for (let i = 0; i < rebuilt.length; i++) expect(nals(rebuilt[i]!), `AU ${i}`).to.deep.equal(nals(sent[i]!));
    } finally {
      await source.stop();
      pc.close();
      peer.close();
    }
  });

  it('a packet node-datachannel never sends: Rivulet reports that sequence number lost, sends a PLI for node-datachannel\'s SSRC, and resumes exactly at the next key frame', async () => {
    const peer = new ndc.PeerConnection('rivulet-media-loss', { iceServers: [], bindAddress: '127.0.0.1', disableAutoNegotiation: true });
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    try {
      const media = new ndc.Video('0', 'SendOnly');
      media.addH264Codec(PT_SEND);
      media.addSSRC(NDC_SEND_SSRC, 'ndc-cname', 'ndc-stream', 'ndc-track');
      const ndcSend = peer.addTrack(media);
      const rtcp: Buffer[] = [];
      ndcSend.onMessage((m) => { if (isRtcp(m)) rtcp.push(Buffer.from(m)); });
      pc.onicecandidate = (e) => { if (e.candidate?.candidate) peer.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0'); };
      const candidates: { candidate: string; sdpMid: string }[] = [];
      peer.onLocalCandidate((candidate, mid) => candidates.push({ candidate, sdpMid: mid }));
      const offer = new Promise<string>((resolve) => peer.onLocalDescription((sdp, type) => { if (type.toLowerCase() === 'offer') resolve(sdp); }));
      peer.setLocalDescription();
      let reader: EncodedFrameReader | undefined;
      const frames: ReceivedFrame[] = [];
      const losses: { firstSequenceNumber: number; count: number }[] = [];
      pc.ontrack = (e) => {
        reader = new EncodedFrameReader(e.track, e.receiver, { maxLatencyMs: 100 });
        reader.on('frame', (f) => frames.push(f));
        reader.on('loss', (l) => losses.push(l));
      };
      await pc.setRemoteDescription({ type: 'offer', sdp: await offer });
      await pc.setLocalDescription();
      peer.setRemoteDescription(pc.localDescription!.sdp, 'answer');
      await until(() => pc.iceGatheringState === 'complete' && candidates.length > 0, 5000, 'candidates');
      for (const c of candidates.splice(0)) await pc.addIceCandidate(c);
      await until(() => pc.connectionState === 'connected' && ndcSend.isOpen(), 15_000, 'connected, node-datachannel track open');

      const h264 = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '2',
        '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '30', '-bf', '0', '-f', 'h264', '-'], { maxBuffer: 32 << 20 }).stdout;
      const splitter = new H264AccessUnitSplitter();
      const units = [...splitter.push(h264), ...splitter.flush()].map((au) => joinAnnexB(au.nalUnits));
      const payloader = new H264Payloader({ maxPayloadSize: 1100 });
      let seq = 65_500; // crosses the 16-bit wrap
      let dropped = -1;
      for (let i = 0; i < units.length; i++) {
        const payloads = payloader.payload(units[i]!);
        for (let k = 0; k < payloads.length; k++) {
          const p = payloads[k]!;
          const sequenceNumber = seq++ & 0xffff;
          // Frame 10's first packet never leaves node-datachannel.
          if (i === 10 && k === 0) { dropped = sequenceNumber; continue; }
          const rtp = new RtpPacket({ payloadType: PT_SEND, sequenceNumber, timestamp: (7_000 + i * 3000) >>> 0, ssrc: NDC_SEND_SSRC, marker: p.marker, payload: p.payload });
          expect(ndcSend.sendMessageBinary(rtp.serialize())).to.equal(true);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => frames.length >= 40, 10_000, '40 frames at Rivulet');
      await new Promise((r) => setTimeout(r, 200));
      // Frames 0..9, then nothing until the key frame at 30, then 30..59.
      const expected = [...Array(10).keys(), ...Array.from({ length: 30 }, (_, k) => 30 + k)];
      expect(frames.map((f) => Math.round(f.timestamp / 33_333.333))).to.deep.equal(expected);
      frames.forEach((f, k) => expect(f.data.equals(units[expected[k]!]!), `frame ${expected[k]}`).to.equal(true));
      expect(losses).to.deep.equal([{ firstSequenceNumber: dropped, count: 1 }]);
      expect(reader!.counters.get('keyframeRequests')).to.be.at.least(1);
      // The request reached node-datachannel as RTCP PLI (RFC 4585 §6.3.1: PT 206, FMT 1) naming its SSRC.
      const plis = rtcp.flatMap((b) => {
        const out: number[] = [];
        for (let off = 0; off + 12 <= b.length; off += ((b.readUInt16BE(off + 2) + 1) * 4)) {
          if (b[off + 1] === 206 && (b[off]! & 0x1f) === 1) out.push(b.readUInt32BE(off + 8));
        }
        return out;
      });
      expect(plis.length, 'PLIs received by node-datachannel').to.be.at.least(1);
      expect(new Set(plis)).to.deep.equal(new Set([NDC_SEND_SSRC]));
    } finally {
      pc.close();
      peer.close();
    }
  });
});
