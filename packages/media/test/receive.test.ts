/**
 * EncodedFrameReader on a real Rivulet-to-Rivulet connection over 127.0.0.1, with the receiver's
 * socket wrapped so chosen datagrams never arrive (the RTP header is readable in SRTP, RFC 3711
 * §3.1, so a packet can be picked by payload type and timestamp). Shows the whole receive chain:
 * NACK + RTX repair a loss before the jitter buffer gives up; with RTX blocked, the reader reports
 * the exact sequence number, its key-frame request reaches the sender's source as a PLI, and
 * frames resume exactly at the next key frame.
 */
import { expect } from 'chai';
import { nodeNetwork, type DatagramSocket, type Network } from '@rivulet/common';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection } from '@rivulet/webrtc';
import { EncodedFrameReader, type ReceivedFrame } from '@rivulet/media';

/** A Network whose UDP sockets silently lose every datagram `drop` picks (after SRTP, before ICE/DTLS/SRTP). */
function droppingNetwork(drop: (d: Buffer) => boolean): Network {
  return {
    interfaces: () => nodeNetwork.interfaces(),
    connectTcp: (o) => nodeNetwork.connectTcp(o),
    async bindUdp(o): Promise<DatagramSocket> {
      const s = await nodeNetwork.bindUdp(o);
      return {
        get localAddress() { return s.localAddress; },
        get closed() { return s.closed; },
        send: (d, port, address) => s.send(d, port, address),
        onMessage: (h) => s.onMessage((d, from) => { if (!drop(d)) h(d, from); }),
        close: () => s.close(),
      };
    },
  };
}

/** A synthetic VP8 frame of 2500 bytes (3 RTP packets): byte 0 bit 0 clear on key frames (RFC 6386 §9.1). */
function vp8Frame(i: number): Buffer {
  const f = Buffer.alloc(2500);
  for (let k = 0; k < f.length; k++) f[k] = (k * 11 + i * 17) & 0xff;
  f[0] = i % 30 === 0 ? 0x10 : 0x11;
  return f;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Run {
  frames: ReceivedFrame[];
  reader: EncodedFrameReader;
  droppedSeq: number;
  rtxSeen: number;
  keyframeRequestsAtSender: number;
  losses: { firstSequenceNumber: number; count: number }[];
}

/**
 * Sends 60 VP8 frames (key frames 0 and 30) from one peer to the other; the receiver loses the
 * first packet of frame 10, and also every RTX packet when `blockRtx`.
 */
async function run(blockRtx: boolean): Promise<Run> {
  let videoPt = -1;
  let rtxPt = -1;
  let ts0: number | undefined;
  let droppedSeq = -1;
  let rtxSeen = 0;
  const network = droppingNetwork((d) => {
    // RFC 7983: 128..191 is RTP/RTCP; RFC 5761 §4: 192..223 in the second byte is RTCP.
    if (d.length < 12 || d[0]! < 128 || d[0]! > 191 || (d[1]! >= 192 && d[1]! <= 223)) return false;
    const pt = d[1]! & 0x7f;
    if (pt === rtxPt) {
      rtxSeen++;
      return blockRtx;
    }
    if (pt !== videoPt) return false;
    const ts = d.readUInt32BE(4);
    ts0 ??= ts;
    if (droppedSeq < 0 && ((ts - ts0) >>> 0) >= 28_500) { // the first packet of frame 10 (30 000 ticks in)
      droppedSeq = d.readUInt16BE(2);
      return true;
    }
    return false;
  });
  const sender = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
  const receiver = new RTCPeerConnection({ rivulet: { network, interfaceAddresses: ['127.0.0.1'] } });
  sender.onicecandidate = (e) => { if (e.candidate?.candidate) void receiver.addIceCandidate(e.candidate); };
  receiver.onicecandidate = (e) => { if (e.candidate?.candidate) void sender.addIceCandidate(e.candidate); };
  const source = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
  let keyframeRequestsAtSender = 0;
  source.onKeyframeRequest(() => keyframeRequestsAtSender++);
  sender.addTransceiver(source.createTrack(), { direction: 'sendonly', streams: [new MediaStream()] });
  const frames: ReceivedFrame[] = [];
  const losses: Run['losses'] = [];
  let reader: EncodedFrameReader | undefined;
  receiver.ontrack = (e) => {
    reader = new EncodedFrameReader(e.track, e.receiver);
    reader.on('frame', (f) => frames.push(f));
    reader.on('loss', (l) => losses.push(l));
  };
  try {
    await sender.setLocalDescription();
    await receiver.setRemoteDescription(sender.localDescription!);
    await receiver.setLocalDescription();
    await sender.setRemoteDescription(receiver.localDescription!);
    const codecs = receiver.getReceivers()[0]!.getParameters().codecs;
    videoPt = codecs.find((c) => c.mimeType === 'video/VP8')!.payloadType;
    // RFC 4588 §8.1: the RTX payload type names its media payload type in apt.
    rtxPt = Number(new RegExp(`a=fmtp:(\\d+) apt=${videoPt}\r\n`).exec(receiver.localDescription!.sdp)?.[1] ?? -1);
    expect(rtxPt, 'RTX negotiated for VP8').to.be.greaterThan(-1);
    await until(() => sender.connectionState === 'connected' && receiver.connectionState === 'connected', 10_000, 'connected');
    for (let i = 0; i < 60; i++) {
      source.writeFrame({ data: vp8Frame(i), timestamp: Math.round((i * 1_000_000) / 30), keyframe: i % 30 === 0 });
      await new Promise((r) => setTimeout(r, 15));
    }
    await until(() => frames.length >= (blockRtx ? 40 : 60), 5000, 'frames at the receiver');
    await new Promise((r) => setTimeout(r, 300)); // nothing more may come
    return { frames, reader: reader!, droppedSeq, rtxSeen, keyframeRequestsAtSender, losses };
  } finally {
    sender.close();
    receiver.close();
  }
}

describe('EncodedFrameReader over a Rivulet connection on 127.0.0.1 (one packet lost on purpose)', function () {
  this.timeout(30_000);

  it('NACK + RTX repair the lost packet in time: all 60 frames byte-identical, no loss, no key-frame request', async () => {
    const r = await run(false);
    expect(r.droppedSeq).to.be.greaterThan(-1);
    expect(r.rtxSeen, 'retransmissions that reached the receiver').to.be.at.least(1);
    expect(r.frames.map((f) => f.data.equals(vp8Frame(r.frames.indexOf(f))))).to.deep.equal(Array(60).fill(true));
    expect(r.frames.map((f) => f.keyframe).flatMap((k, i) => (k ? [i] : []))).to.deep.equal([0, 30]);
    expect(r.frames[59]!.timestamp).to.equal(1_966_667);
    expect(r.losses).to.deep.equal([]);
    expect(r.reader.counters.toJSON()).to.deep.include({ frames: 60, keyframes: 2 });
    expect(r.reader.counters.get('keyframeRequests')).to.equal(0);
    expect(r.keyframeRequestsAtSender).to.equal(0);
  });

  it('RTX blocked too: the loss is reported with its sequence number, the request reaches the sender as a PLI, frames resume at key frame 30', async () => {
    const r = await run(true);
    const indices = r.frames.map((f) => Math.round((f.timestamp * 30) / 1_000_000));
    expect(indices).to.deep.equal([...Array(10).keys(), ...Array.from({ length: 30 }, (_, k) => 30 + k)]);
    r.frames.forEach((f, k) => expect(f.data.equals(vp8Frame(indices[k]!)), `frame ${indices[k]}`).to.equal(true));
    expect(r.losses).to.deep.equal([{ firstSequenceNumber: r.droppedSeq, count: 1 }]);
    expect(r.reader.counters.get('keyframeRequests')).to.be.at.least(1);
    expect(r.keyframeRequestsAtSender, 'PLIs that reached the sending track\'s source').to.be.at.least(1);
  });
});
