/**
 * The transport seam. The real binding (`NodeNetwork`, over node:dgram and
 * node:net) and the virtual network in `@rivulet/testkit` both implement it,
 * so every layer runs unchanged over either.
 */
export type AddressFamily = 'IPv4' | 'IPv6';

export interface TransportAddress {
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
}

export interface InterfaceAddress {
  /** Interface name, e.g. `lo`, `eth0`. */
  readonly name: string;
  readonly address: string;
  readonly family: AddressFamily;
  /** Loopback or otherwise not reachable from other hosts. */
  readonly internal: boolean;
}

export type DatagramHandler = (data: Buffer, from: TransportAddress) => void;

export interface DatagramSocket {
  readonly localAddress: TransportAddress;
  /** Fire-and-forget; errors are counted, never thrown for network conditions. */
  send(data: Uint8Array, port: number, address: string): void;
  /** Sets the single receive handler (replaces any previous one). */
  onMessage(handler: DatagramHandler): void;
  close(): void;
  readonly closed: boolean;
}

export interface StreamSocket {
  readonly localAddress: TransportAddress;
  readonly remoteAddress: TransportAddress;
  write(data: Uint8Array): void;
  onData(handler: (data: Buffer) => void): void;
  onClose(handler: (error?: Error) => void): void;
  close(): void;
  readonly closed: boolean;
}

export interface BindOptions {
  /** Local address to bind; `0.0.0.0`/`::` for any. */
  address: string;
  /** 0 or undefined for an ephemeral port. */
  port?: number;
  /** Socket receive and send buffer size in bytes (real sockets only; default 4 MiB, capped by the OS). */
  bufferSize?: number;
}

export interface ConnectOptions {
  address: string;
  port: number;
  localAddress?: string;
}

export interface Network {
  /** Addresses this host may gather host candidates from. */
  interfaces(): InterfaceAddress[];
  bindUdp(options: BindOptions): Promise<DatagramSocket>;
  connectTcp(options: ConnectOptions): Promise<StreamSocket>;
}

export function familyOf(address: string): AddressFamily {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}
