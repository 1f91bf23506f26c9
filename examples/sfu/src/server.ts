/**
 * HTTP + WebSocket front of the SFU: serves the browser page, takes one
 * WebSocket per participant at /ws?room=<name>, and exposes the rooms' state
 * as JSON at /stats (what tests and dashboards read).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseClientMessage } from './messages.js';
import { Room, type RoomOptions, type RoomStats } from './room.js';

export interface SfuServerOptions extends RoomOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface SfuServer {
  url: string;
  rooms: Map<string, Room>;
  stats(): Record<string, RoomStats>;
  close(): Promise<void>;
}

const PUBLIC = new URL('../public/', import.meta.url);
const FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/client.js': ['client.js', 'text/javascript; charset=utf-8'],
};

export async function startSfu(options: SfuServerOptions = {}): Promise<SfuServer> {
  const host = options.host ?? '127.0.0.1';
  const rooms = new Map<string, Room>();
  const stats = () => Object.fromEntries([...rooms].map(([name, r]) => [name, r.stats()]));

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats()));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = FILES[path];
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    readFile(new URL(file[0], PUBLIC)).then(
      (body) => res.writeHead(200, { 'content-type': file[1] }).end(body),
      () => res.writeHead(500).end('cannot read page'),
    );
  });

  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: 256 * 1024 });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('room') || 'default';
    let room = rooms.get(name);
    if (!room) {
      room = new Room(name, options);
      rooms.set(name, room);
    }
    const r = room;
    const peer = r.join((m) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m)); });
    // Messages are handled one at a time, in order (a description before its candidates).
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      const m = parseClientMessage(String(data));
      if (!m) {
        peer.stats.malformedMessages++;
        return;
      }
      queue = queue.then(() => r.handle(peer, m)).catch((err: unknown) => {
        peer.send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    });
    ws.on('close', () => {
      r.leave(peer);
      if (r.size === 0 && rooms.get(name) === r) {
        r.close();
        rooms.delete(name);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8090, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    rooms,
    stats,
    async close() {
      for (const r of rooms.values()) r.close();
      rooms.clear();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
