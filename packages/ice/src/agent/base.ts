import type { Clock, DatagramSocket, Network, TransportAddress } from '@rivulet/common';

/**
 * The TURN contract the ICE agent relies on (implemented in ../turn/ by the
 * network developer). Declared structurally here so the agent can take an
 * injected allocator in tests.
 */
export interface TurnAllocationLike {
  readonly relayedAddress: TransportAddress;
  readonly mappedAddress: TransportAddress | undefined;
  readonly state: string;
  send(data: Uint8Array, peer: TransportAddress): void;
  onData(handler: (data: Buffer, from: TransportAddress) => void): void;
  onStateChange(handler: (state: string) => void): void;
  /** Releases the allocation (the TURN client's returns a promise; failures are its own to log). */
  close(): void | Promise<void>;
}

export interface RelayServerConfig {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
  username: string;
  credential: string;
}

export type TurnAllocator = (options: { server: RelayServerConfig; network: Network; clock: Clock }) => Promise<TurnAllocationLike>;

export type BaseReceiver = (base: LocalBase, data: Buffer, from: TransportAddress) => void;

let nextBaseId = 1;

/**
 * RFC 8445 §5.1.1.1: the base of a candidate is the transport address an
 * agent sends from: a bound UDP socket (host and server-reflexive candidates)
 * or a TURN allocation (relayed candidates).
 */
export class LocalBase {
  readonly id = nextBaseId++;
  closed = false;

  private constructor(
    readonly kind: 'udp' | 'relay',
    readonly address: TransportAddress,
    private readonly socket: DatagramSocket | undefined,
    readonly allocation: TurnAllocationLike | undefined,
    /** The interface address (host) or TURN server address (relay) this base came from. */
    readonly origin: string,
  ) {}

  static udp(socket: DatagramSocket, receive: BaseReceiver): LocalBase {
    const base = new LocalBase('udp', socket.localAddress, socket, undefined, socket.localAddress.address);
    socket.onMessage((data, from) => receive(base, data, from));
    return base;
  }

  static relay(allocation: TurnAllocationLike, serverAddress: string, receive: BaseReceiver): LocalBase {
    const base = new LocalBase('relay', allocation.relayedAddress, undefined, allocation, serverAddress);
    allocation.onData((data, from) => receive(base, data, from));
    return base;
  }

  send(data: Uint8Array, to: TransportAddress): void {
    if (this.closed) return;
    if (this.socket) this.socket.send(data, to.port, to.address);
    else this.allocation!.send(data, to);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.close();
    const released = this.allocation?.close();
    if (released) released.catch(() => {});
  }
}
