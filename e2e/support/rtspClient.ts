import { connect, type Socket } from 'node:net';

/**
 * The smallest RTSP client (RFC 2326 §6/§7 message framing) for control
 * experiments against the test server: it sends the requests it is told to
 * and never a keep-alive, so a test can show that the server really expires
 * a session nobody refreshes. Not a product client: ffmpeg is that.
 */
export interface RtspReply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

export class RawRtspClient {
  private socket: Socket;
  private buffer = '';
  private cseq = 0;
  private pending: ((reply: RtspReply) => void) | undefined;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static open(port: number, maxMs = 3_000): Promise<RawRtspClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`RTSP connect to 127.0.0.1:${port} timed out after ${maxMs} ms`));
      }, maxMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawRtspClient(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends one request and resolves with its reply (rejects after `maxMs`). */
  request(method: string, url: string, headers: Record<string, string> = {}, maxMs = 3_000): Promise<RtspReply> {
    if (this.pending) throw new Error('RawRtspClient.request: one request at a time');
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`no reply to ${method} within ${maxMs} ms`));
      }, maxMs);
      this.pending = (reply) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(reply);
      };
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(text: string): void {
    this.buffer += text;
    // Interleaved binary data ($, channel, length; RFC 2326 §10.12) is skipped: this client only reads replies.
    for (;;) {
      if (this.buffer.startsWith('$')) {
        if (this.buffer.length < 4) return;
        const length = (this.buffer.charCodeAt(2) << 8) | this.buffer.charCodeAt(3);
        if (this.buffer.length < 4 + length) return;
        this.buffer = this.buffer.slice(4 + length);
        continue;
      }
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.slice(0, end).split('\r\n');
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.slice(end + 4, end + 4 + length);
      this.buffer = this.buffer.slice(end + 4 + length);
      const status = Number(/^RTSP\/1\.0 (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      this.pending?.({ status, headers, body });
    }
  }
}
