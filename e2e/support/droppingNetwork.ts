import { nodeNetwork, type DatagramSocket, type Network } from '@rivulet/common';

/**
 * Real UDP on 127.0.0.1 whose sockets silently lose every datagram `drop` picks: incoming ones by
 * default, outgoing ones with `outgoing` true. SRTP leaves the RTP header readable (RFC 3711
 * §3.1), so a test can pick packets by payload type or sequence number to make a loss stand.
 */
export function droppingNetwork(drop: (d: Buffer) => boolean, outgoing = false): Network {
  return {
    interfaces: () => nodeNetwork.interfaces(),
    connectTcp: (o) => nodeNetwork.connectTcp(o),
    async bindUdp(o): Promise<DatagramSocket> {
      const s = await nodeNetwork.bindUdp(o);
      return {
        get localAddress() { return s.localAddress; },
        get closed() { return s.closed; },
        send: (d, port, address) => { if (!outgoing || !drop(Buffer.from(d.buffer, d.byteOffset, d.byteLength))) s.send(d, port, address); },
        onMessage: (h) => s.onMessage((d, from) => { if (outgoing || !drop(d)) h(d, from); }),
        close: () => s.close(),
      };
    },
  };
}
