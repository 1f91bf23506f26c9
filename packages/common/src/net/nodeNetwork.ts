import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { createLogger } from '../log.js';
import {
  familyOf,
  type BindOptions,
  type ConnectOptions,
  type DatagramHandler,
  type DatagramSocket,
  type InterfaceAddress,
  type Network,
  type StreamSocket,
  type TransportAddress,
} from './types.js';

const log = createLogger('net');

/** One send in this many carries a completion callback (see NodeDatagramSocket.send). */
export const SEND_ERROR_SAMPLE = 16;

class NodeDatagramSocket implements DatagramSocket {
  private handler: DatagramHandler = () => {};
  closed = false;
  sendErrors = 0;

  constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: TransportAddress,
  ) {
    socket.on('message', (msg, rinfo) => {
      const from: TransportAddress = {
        address: rinfo.address,
        port: rinfo.port,
        family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
      };
      try {
        this.handler(msg, from);
      } catch (err) {
        // A handler must never throw out of the socket: count and carry on.
        log.error('datagram handler threw: %O', err);
      }
    });
    socket.on('error', (err) => {
      this.sendErrors++;
      log.warn('udp socket error: %s', err.message);
    });
  }

  /** Sends since the last one that carried a completion callback. */
  private unsampled = 0;

  /**
   * One sendto per datagram, the caller's bytes as they are (no copy). The data path sends one
   * datagram per SCTP packet, so a completion callback on every send is costly: dgram answers
   * each synchronous sendto with a process.nextTick(callback) (~1.5–3 µs CPU per datagram
   * measured, .tmp/dcp/micro2.mjs). Only the first datagram and every SEND_ERROR_SAMPLE-th one
   * carry `afterSend`; without a callback dgram discards a failure silently, so `sendErrors`
   * counts failures among the sampled sends: a lasting failure (no route, firewall, oversize)
   * shows within SEND_ERROR_SAMPLE datagrams, a one-off failure may go uncounted.
   */
  send(data: Uint8Array, port: number, address: string): void {
    if (this.closed) return;
    if (this.unsampled === 0) {
      this.unsampled = SEND_ERROR_SAMPLE - 1;
      this.socket.send(data, port, address, this.afterSend);
    } else {
      this.unsampled--;
      this.socket.send(data, port, address);
    }
  }

  private readonly afterSend = (err: Error | null): void => {
    if (err) {
      this.sendErrors++;
      log.debug('udp send failed: %s', err.message);
    }
  };

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // already closed by the OS
    }
  }
}

class NodeStreamSocket implements StreamSocket {
  closed = false;
  private dataHandler: (d: Buffer) => void = () => {};
  private closeHandler: (e?: Error) => void = () => {};
  private error: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly localAddress: TransportAddress,
    readonly remoteAddress: TransportAddress,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      try {
        this.dataHandler(d);
      } catch (err) {
        log.error('stream handler threw: %O', err);
      }
    });
    socket.on('error', (e) => {
      this.error = e;
    });
    socket.on('close', () => {
      this.closed = true;
      this.closeHandler(this.error);
    });
  }

  write(data: Uint8Array): void {
    if (!this.closed) this.socket.write(data);
  }

  onData(handler: (data: Buffer) => void): void {
    this.dataHandler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }
}

const DEFAULT_SOCKET_BUFFER = 4 * 1024 * 1024;

/**
 * dgram resolves the destination of every unconnected send() with its `lookup` (dns.lookup by
 * default), which for an IP literal still defers the send by one process.nextTick. Our
 * destinations are IP literals (ICE candidates, RFC 8445 §5.1.1): answer those at once so the
 * datagram reaches the kernel within send(), and leave names to dns.lookup.
 */
function literalFirstLookup(
  hostname: string,
  options: dns.LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = net.isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dns.lookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/**
 * How long one os.networkInterfaces() answer is reused. The call costs 0.1-0.3 ms (it walks every
 * interface in libuv) and every RTCPeerConnection gathers, so two peers set up in a row paid it
 * twice on the critical path; an interface that appears or goes within this second is seen by the
 * next gathering after it.
 */
export const INTERFACES_CACHE_MS = 1000;
let cachedInterfaces: { at: number; list: InterfaceAddress[] } | undefined;

/** The real network of this machine: node:dgram, node:net and os.networkInterfaces(). */
export class NodeNetwork implements Network {
  interfaces(): InterfaceAddress[] {
    const now = performance.now();
    if (cachedInterfaces && now - cachedInterfaces.at < INTERFACES_CACHE_MS) return cachedInterfaces.list.map((a) => ({ ...a }));
    const out: InterfaceAddress[] = [];
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      for (const a of addrs ?? []) {
        out.push({ name, address: a.address, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4', internal: a.internal });
      }
    }
    cachedInterfaces = { at: now, list: out.map((a) => ({ ...a })) };
    return out;
  }

  bindUdp(options: BindOptions): Promise<DatagramSocket> {
    const family = familyOf(options.address);
    // A burst from the peer (a whole SCTP congestion window, a keyframe's worth of RTP) arrives while our
    // event loop is busy; with the kernel's default buffer (~208 KiB) the excess is dropped and SCTP or NACK
    // must recover it. Browsers and libdatachannel enlarge their buffers too. Linux caps the value at
    // net.core.rmem_max / wmem_max.
    const bufferSize = options.bufferSize ?? DEFAULT_SOCKET_BUFFER;
    const socket = dgram.createSocket({
      type: family === 'IPv6' ? 'udp6' : 'udp4',
      ipv6Only: family === 'IPv6',
      recvBufferSize: bufferSize,
      sendBufferSize: bufferSize,
      lookup: literalFirstLookup,
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot bind UDP ${options.address}:${options.port ?? 0}: ${err.message}`));
      socket.once('error', onError);
      socket.bind({ address: options.address, port: options.port ?? 0, exclusive: true }, () => {
        socket.off('error', onError);
        const a = socket.address();
        resolve(new NodeDatagramSocket(socket, { address: a.address, port: a.port, family }));
      });
    });
  }

  connectTcp(options: ConnectOptions): Promise<StreamSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.address, port: options.port, localAddress: options.localAddress });
      const onError = (err: Error) => reject(new Error(`cannot connect TCP ${options.address}:${options.port}: ${err.message}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const local: TransportAddress = {
          address: socket.localAddress ?? '',
          port: socket.localPort ?? 0,
          family: familyOf(socket.localAddress ?? ''),
        };
        const remote: TransportAddress = { address: options.address, port: options.port, family: familyOf(options.address) };
        resolve(new NodeStreamSocket(socket, local, remote));
      });
    });
  }
}

export const nodeNetwork: Network = new NodeNetwork();
