import { spawn, type ChildProcess } from 'node:child_process';
import { arch } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from './tools.js';

/**
 * A real RTSP server we did not write that supports RTP interleaved in the
 * RTSP TCP connection (RFC 2326 §10.12), UDP, Basic/Digest authentication
 * and session timeouts: GStreamer's gst-rtsp-server, scripted through
 * PyGObject by rtspServer.py next to this file. Each mount is a live camera
 * (videotestsrc → x264enc → rtph264pay with SPS/PPS before every IDR).
 *
 * The server prints one line per event (see rtspServer.py), kept in `events`
 * so a test can assert what the server saw: which requests, which transport,
 * which auth scheme, which sessions it expired.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const GST_RTSP_SCRIPT = path.join(here, 'rtspServer.py');
export const PYTHON = '/usr/bin/python3';

const MULTIARCH: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const libDir = `/usr/lib/${MULTIARCH[arch()] ?? `${arch()}-linux-gnu`}`;

/** The Debian packages the server needs, each with one file that proves it is installed. */
export const GST_RTSP_PACKAGES: readonly { file: string; apt: string }[] = [
  { file: PYTHON, apt: 'python3' },
  { file: '/usr/lib/python3/dist-packages/gi/__init__.py', apt: 'python3-gi' },
  { file: `${libDir}/girepository-1.0/GstRtspServer-1.0.typelib`, apt: 'gir1.2-gst-rtsp-server-1.0' },
  { file: `${libDir}/gstreamer-1.0/libgstvideotestsrc.so`, apt: 'gstreamer1.0-plugins-base' },
  { file: `${libDir}/gstreamer-1.0/libgstrtp.so`, apt: 'gstreamer1.0-plugins-good' },
  { file: `${libDir}/gstreamer-1.0/libgstx264.so`, apt: 'gstreamer1.0-plugins-ugly' },
];

/** GLib's TLS backend, which the server needs for rtsps:// (glib-networking, pulled in by gstreamer1.0-plugins-good). */
export function requireGioTls(ctx: Mocha.Context): void {
  requireTool(ctx, `${libDir}/gio/modules/libgiognutls.so`, 'glib-networking');
}

/** Skips (locally) or fails (CI=true) unless every package of the GStreamer RTSP server is installed. */
export function requireGstRtspServer(ctx: Mocha.Context): void {
  for (const p of GST_RTSP_PACKAGES) requireTool(ctx, p.file, p.apt);
}

export interface GstMount {
  /** e.g. '/cam' */
  path: string;
  /** Lower transports the server offers for this mount (default 'any'). */
  protocols?: 'tcp' | 'udp' | 'any';
  width?: number;
  height?: number;
  fps?: number;
  /** Frames between IDRs (default 25). */
  gop?: number;
  /** Add an Opus audio stream (default: video only, like most IP cameras). */
  audio?: boolean;
}

export interface GstRtspServerOptions {
  mounts: GstMount[];
  /** Require credentials on every mount, with this one scheme (RFC 7617 Basic or RFC 7616 Digest). */
  auth?: { method: 'basic' | 'digest'; user: string; password: string };
  /** Seconds the server keeps a session without a request (RFC 2326 §12.37; default 60). */
  sessionTimeout?: number;
  /** Listen on this port (default 0: one the kernel picks), e.g. to bring a "camera" back where it was. */
  port?: number;
  /** Serve RTSP over TLS only (rtsps://) with this certificate and key (PEM). */
  tls?: { certPem: string; keyPem: string };
}

export interface GstRtspEvent {
  /** ms since the server started */
  at: number;
  words: string[];
}

export interface GstRtspServer {
  port: number;
  child: ChildProcess;
  /** Every event line so far, in order. */
  events: GstRtspEvent[];
  url(mountPath: string, credentials?: { user: string; password: string }): string;
  /** The events whose first word is `kind` (REQ, TRANSPORT, AUTH, SESSION-REMOVED, CLOSED). */
  eventsOf(kind: string): GstRtspEvent[];
  /** Resolves with the first event matching `match` (already seen or future), rejects after `maxMs`. */
  waitFor(match: (e: GstRtspEvent) => boolean, maxMs: number, what: string): Promise<GstRtspEvent>;
  /** The last lines the server printed, for failure messages. */
  output(): string;
  /** SIGKILL: the kernel closes every connection at once, as when a camera loses power. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 1 s. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the server on 127.0.0.1, a port the kernel picks, and waits (at most `maxMs`) for READY. */
export async function startGstRtspServer(options: GstRtspServerOptions, maxMs = 15_000): Promise<GstRtspServer> {
  const t0 = Date.now();
  const config = { port: options.port ?? 0, mounts: options.mounts, auth: options.auth ?? null, tls: options.tls ?? null, sessionTimeout: options.sessionTimeout ?? 60 };
  const child = spawn(PYTHON, [GST_RTSP_SCRIPT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: GstRtspEvent[] = [];
  const lines: string[] = [];
  const waiters = new Set<{ match: (e: GstRtspEvent) => boolean; resolve: (e: GstRtspEvent) => void }>();
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 60) lines.shift();
      const event = { at: Date.now() - t0, words: line.trim().split(/\s+/) };
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.delete(w);
          w.resolve(event);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    for (const line of text.split('\n')) if (line.trim()) lines.push(`stderr: ${line}`);
    while (lines.length > 60) lines.shift();
  });
  child.on('error', (err) => lines.push(`spawn failed: ${err.message}`));

  const output = (): string => lines.join('\n');
  const waitFor = (match: (e: GstRtspEvent) => boolean, waitMs: number, what: string): Promise<GstRtspEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (e: GstRtspEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`RTSP server: no ${what} within ${waitMs} ms; its output:\n${output()}`));
      }, waitMs);
      waiters.add(waiter);
    });
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const done = exited(child);
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 1_000);
    await done;
    clearTimeout(timer);
  };

  let ready: GstRtspEvent;
  try {
    ready = await Promise.race([
      waitFor((e) => e.words[0] === 'READY' || e.words[0] === 'ERROR', maxMs, 'READY line'),
      exited(child).then(() => {
        throw new Error(`RTSP server exited before it was ready:\n${output()}`);
      }),
    ]);
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
  if (ready.words[0] !== 'READY') {
    await kill('SIGKILL');
    throw new Error(`RTSP server failed to start:\n${output()}`);
  }
  const port = Number(ready.words[1]);
  return {
    port,
    child,
    events,
    url: (mountPath, credentials) =>
      `${options.tls ? 'rtsps' : 'rtsp'}://${credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : ''}127.0.0.1:${port}${mountPath}`,
    eventsOf: (kind) => events.filter((e) => e.words[0] === kind),
    waitFor,
    output,
    kill: () => kill('SIGKILL'),
    stop: () => kill('SIGTERM'),
  };
}
