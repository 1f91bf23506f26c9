import { nodeNetwork, type Network } from '@rivulet/common';
import { tapNetwork } from '@rivulet/testkit';

/**
 * Real UDP on 127.0.0.1 whose sockets silently lose every datagram `drop` picks: incoming ones by
 * default, outgoing ones with `outgoing` true. SRTP leaves the RTP header readable (RFC 3711
 * §3.1), so a test can pick packets by payload type or sequence number to make a loss stand.
 */
export function droppingNetwork(drop: (d: Buffer) => boolean, outgoing = false): Network {
  return outgoing
    ? tapNetwork(nodeNetwork, { send: (d) => !drop(Buffer.from(d.buffer, d.byteOffset, d.byteLength)) })
    : tapNetwork(nodeNetwork, { receive: (d) => !drop(d) });
}
