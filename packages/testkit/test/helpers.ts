import type { DatagramSocket, FakeClock, TransportAddress } from '@rivulet/common';

export interface Received {
  data: Buffer;
  from: TransportAddress;
  at: number;
}

/** Records everything a socket receives, with the fake time of arrival. */
export function collect(socket: DatagramSocket, clock: FakeClock): Received[] {
  const out: Received[] = [];
  socket.onMessage((data, from) => out.push({ data, from, at: clock.now() }));
  return out;
}

/** A 4-byte big-endian sequence number, optionally padded to `size` bytes. */
export function seqPacket(n: number, size = 4): Buffer {
  const b = Buffer.alloc(Math.max(4, size));
  b.writeUInt32BE(n, 0);
  return b;
}
