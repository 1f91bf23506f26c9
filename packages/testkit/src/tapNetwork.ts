import type { DatagramSocket, Network, TransportAddress } from '@rivulet/common';

/**
 * What a tapped network does with each datagram. Either hook sees the datagram before it moves on
 * and returns `false` to make it vanish (a loss the test chose), anything else to let it pass.
 */
export interface NetworkTap {
  /** A datagram one of the network's UDP sockets is about to send. */
  send?(data: Uint8Array, port: number, address: string): boolean | void;
  /** A datagram one of its UDP sockets received, before the socket's handler runs. */
  receive?(data: Buffer, from: TransportAddress): boolean | void;
}

/**
 * Wraps any `Network` (the real `nodeNetwork` or a virtual host) so a test can record, pick or lose
 * datagrams at the socket seam, below ICE, DTLS and SRTP, while the peer on the other side stays
 * real. Interfaces and TCP pass through untouched.
 */
export function tapNetwork(inner: Network, tap: NetworkTap): Network {
  return {
    interfaces: () => inner.interfaces(),
    connectTcp: (o) => inner.connectTcp(o),
    async bindUdp(o): Promise<DatagramSocket> {
      const s = await inner.bindUdp(o);
      return {
        get localAddress() { return s.localAddress; },
        get closed() { return s.closed; },
        send(data, port, address) {
          if (tap.send?.(data, port, address) === false) return;
          s.send(data, port, address);
        },
        onMessage(handler) {
          s.onMessage(tap.receive ? (d, from) => { if (tap.receive!(d, from) !== false) handler(d, from); } : handler);
        },
        close: () => s.close(),
      };
    },
  };
}
