import type { DatagramSocket, Network, StreamSocket, TransportAddress } from '@rivulet/common';
import { TurnStreamFramer } from './channelData.js';

/**
 * The client's path to its TURN server: a UDP socket of its own, or a TCP
 * connection with RFC 8656 §12.5 framing. Either way it hands whole
 * messages (STUN or ChannelData) to the client.
 */
export interface TurnTransport {
  readonly reliable: boolean;
  readonly localAddress: TransportAddress;
  send(message: Uint8Array): void;
  /** Whole messages from the server only; anything else is dropped and counted by `onDrop`. */
  onMessage(handler: (message: Buffer) => void): void;
  /** The connection ended (TCP closed or unframeable); never fires for UDP. */
  onClose(handler: (error: Error) => void): void;
  onDrop(handler: (reason: 'not-from-server' | 'stream-framing') => void): void;
  close(): void;
}

function familyWildcard(address: string): string {
  return address.includes(':') ? '::' : '0.0.0.0';
}

class UdpTurnTransport implements TurnTransport {
  readonly reliable = false;
  private messageHandler: (m: Buffer) => void = () => {};
  private dropHandler: (r: 'not-from-server' | 'stream-framing') => void = () => {};

  constructor(
    private readonly socket: DatagramSocket,
    private readonly server: { address: string; port: number },
  ) {
    socket.onMessage((data, from) => {
      // RFC 8656 §5: the 5-tuple identifies the allocation; anything not from the server is noise.
      if (from.port !== this.server.port || from.address !== this.server.address) {
        this.dropHandler('not-from-server');
        return;
      }
      this.messageHandler(data);
    });
  }

  get localAddress(): TransportAddress {
    return this.socket.localAddress;
  }

  send(message: Uint8Array): void {
    this.socket.send(message, this.server.port, this.server.address);
  }

  onMessage(handler: (message: Buffer) => void): void {
    this.messageHandler = handler;
  }

  onClose(): void {
    // a UDP socket never closes underneath us
  }

  onDrop(handler: (reason: 'not-from-server' | 'stream-framing') => void): void {
    this.dropHandler = handler;
  }

  close(): void {
    this.socket.close();
  }
}

class TcpTurnTransport implements TurnTransport {
  readonly reliable = true;
  private messageHandler: (m: Buffer) => void = () => {};
  private closeHandler: (e: Error) => void = () => {};
  private dropHandler: (r: 'not-from-server' | 'stream-framing') => void = () => {};
  private readonly framer = new TurnStreamFramer((m) => this.messageHandler(m));
  private closing = false;

  constructor(private readonly stream: StreamSocket) {
    stream.onData((chunk) => {
      if (!this.framer.feed(chunk)) {
        this.dropHandler('stream-framing');
        this.fail(new Error('TURN TCP stream from the server is not valid STUN/ChannelData framing (RFC 8656 §12.5); connection closed'));
      }
    });
    stream.onClose((error) => {
      if (this.closing) return;
      this.closing = true;
      this.closeHandler(error ?? new Error('TURN server closed the TCP connection'));
    });
  }

  get localAddress(): TransportAddress {
    return this.stream.localAddress;
  }

  send(message: Uint8Array): void {
    this.stream.write(message);
  }

  onMessage(handler: (message: Buffer) => void): void {
    this.messageHandler = handler;
  }

  onClose(handler: (error: Error) => void): void {
    this.closeHandler = handler;
  }

  onDrop(handler: (reason: 'not-from-server' | 'stream-framing') => void): void {
    this.dropHandler = handler;
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.closing = true;
    this.stream.close();
    this.closeHandler(error);
  }

  close(): void {
    this.closing = true;
    this.stream.close();
  }
}

/** Opens the transport for one allocation: its own UDP socket or its own TCP connection. */
export async function openTurnTransport(options: {
  network: Network;
  server: { address: string; port: number; transport: 'udp' | 'tcp' };
  localAddress?: string;
}): Promise<TurnTransport> {
  const { network, server } = options;
  if (server.transport === 'tcp') {
    const stream = await network.connectTcp({ address: server.address, port: server.port, localAddress: options.localAddress });
    return new TcpTurnTransport(stream);
  }
  const socket = await network.bindUdp({ address: options.localAddress ?? familyWildcard(server.address), port: 0 });
  return new UdpTurnTransport(socket, server);
}
