import { reportError, type Clock, type StreamSocket, type TransportAddress } from '@rivulet/common';
import type { LinkDirection } from './link.js';

/**
 * A simplified TCP for the virtual network: a reliable, in-order byte
 * stream between two virtual hosts. Segments take the sum of the one-way
 * delays of the links on the path; loss, jitter, duplication and bandwidth
 * are not applied (real TCP would hide them, modulo delay). A cut link on
 * the path resets the connection when either end next writes.
 */

export type TcpCounter = 'tcp-connected' | 'tcp-refused' | 'tcp-reset';

export interface TcpEnv {
  readonly clock: Clock;
  scheduled(): void;
  settled(): void;
  count(name: TcpCounter): void;
  handlerError(): void;
}

export function pathDelay(links: readonly LinkDirection[]): number {
  let d = 0;
  for (const l of links) d += l.conditions.delayMs ?? 0;
  return d;
}

export function pathCut(links: readonly LinkDirection[]): boolean {
  return links.some((l) => l.conditions.cut === true);
}

/** A listening virtual TCP socket (see `VirtualHost.listenTcp`). */
export interface TcpListener {
  readonly localAddress: TransportAddress;
  readonly closed: boolean;
  close(): void;
}

export class VirtualStreamSocket implements StreamSocket {
  closed = false;
  /** The other end; set right after both ends are created. */
  peer!: VirtualStreamSocket;
  private dataHandler: ((d: Buffer) => void) | undefined;
  private closeHandler: ((e?: Error) => void) | undefined;
  private early: Buffer[] = [];
  /** Arrival time of the last segment this end sent: later segments never overtake it. */
  private lastArrival = 0;
  private closeReported = false;

  constructor(
    private readonly env: TcpEnv,
    readonly localAddress: TransportAddress,
    readonly remoteAddress: TransportAddress,
    /** Link directions from this end to the other. */
    private readonly out: readonly LinkDirection[],
  ) {}

  write(data: Uint8Array): void {
    if (this.closed) return;
    if (pathCut(this.out)) return this.reset();
    const copy = Buffer.from(data);
    this.schedule(() => this.peer.arrive(copy));
  }

  onData(handler: (data: Buffer) => void): void {
    this.dataHandler = handler;
    const queued = this.early;
    this.early = [];
    for (const d of queued) this.arrive(d);
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  /** Half of a FIN exchange: the peer learns after the data already in flight. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.schedule(() => this.peer.remoteClosed());
    this.reportClose(undefined, true);
  }

  private schedule(fn: () => void): void {
    const now = this.env.clock.now();
    const at = Math.max(now + pathDelay(this.out), this.lastArrival);
    this.lastArrival = at;
    this.env.scheduled();
    this.env.clock.setTimeout(() => {
      this.env.settled();
      fn();
    }, at - now);
  }

  private arrive(data: Buffer): void {
    if (this.closed) return;
    if (!this.dataHandler) {
      // Like a socket without a 'data' listener yet: keep the bytes.
      this.early.push(data);
      return;
    }
    try {
      this.dataHandler(data);
    } catch (err) {
      this.env.handlerError();
      reportError(err, `virtual TCP data handler ${this.localAddress.address}:${this.localAddress.port}`);
    }
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.reportClose(undefined, false);
  }

  /** Both ends learn at once that a cut link broke the connection. */
  private reset(): void {
    this.env.count('tcp-reset');
    const error = () =>
      new Error(
        `virtual TCP connection ${this.localAddress.address}:${this.localAddress.port} ↔ ` +
          `${this.remoteAddress.address}:${this.remoteAddress.port} reset: a link on its path is cut`,
      );
    for (const s of [this, this.peer]) {
      if (s.closed) continue;
      s.closed = true;
      s.reportClose(error(), false);
    }
  }

  /** Reports the close from a clock timer (never inside the caller's stack), once. */
  private reportClose(error: Error | undefined, local: boolean): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.env.scheduled();
    this.env.clock.setTimeout(() => {
      this.env.settled();
      try {
        this.closeHandler?.(error);
      } catch (err) {
        this.env.handlerError();
        reportError(err, `virtual TCP close handler (${local ? 'local' : 'remote'} close)`);
      }
    }, 0);
  }
}

/** A resolved path for a new connection (see VirtualNetwork's routing). */
export interface TcpConnectPath {
  readonly forward: readonly LinkDirection[];
  readonly backward: readonly LinkDirection[];
  /** The client's address as the server sees it (after NAT). */
  readonly seenAs: TransportAddress;
  /** Looks up the listener when the SYN arrives (it may have closed meanwhile). */
  readonly listener: () => { readonly closed: boolean; readonly onConnection: (s: StreamSocket) => void } | undefined;
  readonly targetName: string;
}

/**
 * The handshake: the SYN reaches the listener after the forward delay, the
 * SYN-ACK returns after the backward one, so `connectTcp` resolves after one RTT.
 */
export function connectVirtualTcp(
  env: TcpEnv,
  path: TcpConnectPath,
  src: TransportAddress,
  dst: TransportAddress,
  what: string,
): Promise<StreamSocket> {
  const later = (ms: number, fn: () => void) => {
    env.scheduled();
    env.clock.setTimeout(() => {
      env.settled();
      fn();
    }, ms);
  };
  return new Promise<StreamSocket>((resolve, reject) => {
    const rtt = pathDelay(path.forward) + pathDelay(path.backward);
    if (pathCut(path.forward) || pathCut(path.backward)) {
      env.count('tcp-refused');
      return later(rtt, () => reject(new Error(`${what}: ETIMEDOUT (a link on the path is cut)`)));
    }
    const client = new VirtualStreamSocket(env, src, dst, path.forward);
    const server = new VirtualStreamSocket(env, dst, path.seenAs, path.backward);
    client.peer = server;
    server.peer = client;
    later(pathDelay(path.forward), () => {
      const listener = path.listener();
      if (!listener || listener.closed) {
        env.count('tcp-refused');
        return later(pathDelay(path.backward), () => reject(new Error(`${what}: ECONNREFUSED (nothing listens there)`)));
      }
      env.count('tcp-connected');
      try {
        listener.onConnection(server);
      } catch (err) {
        env.handlerError();
        reportError(err, `virtual TCP listener on ${path.targetName}`);
      }
      later(pathDelay(path.backward), () => resolve(client));
    });
  });
}
