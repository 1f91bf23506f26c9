import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CameraGateway } from './gateway.js';
import { viewerPage } from './viewerPage.js';

const MAX_OFFER_BYTES = 64 * 1024;

/**
 * HTTP front of the gateway: the viewer page at /, WHEP at /whep
 * (POST application/sdp → 201 with the answer and a Location to DELETE).
 */
export function startServer(gateway: CameraGateway, host: string, port: number, title: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(gateway, req, res, title).catch((err: unknown) => {
      send(res, 500, 'text/plain', `gateway error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({ server, url: `http://${shown}:${a.port}/` });
    });
  });
}

async function handle(gateway: CameraGateway, req: IncomingMessage, res: ServerResponse, title: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', viewerPage(title));
  if (url.pathname === '/whep' && req.method === 'POST') {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/sdp')) {
      return send(res, 415, 'text/plain', 'WHEP expects Content-Type: application/sdp');
    }
    const offer = await readBody(req, MAX_OFFER_BYTES);
    let answer: { id: string; sdp: string };
    try {
      answer = await gateway.answer(offer);
    } catch (err) {
      return send(res, 400, 'text/plain', `cannot answer this offer: ${err instanceof Error ? err.message : String(err)}`);
    }
    res.setHeader('location', `/whep/${answer.id}`);
    return send(res, 201, 'application/sdp', answer.sdp);
  }
  const m = /^\/whep\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (m && req.method === 'DELETE') return send(res, gateway.end(m[1]!) ? 200 : 404, 'text/plain', '');
  if (url.pathname === '/whep' || m) {
    if (req.method === 'OPTIONS') {
      res.setHeader('allow', 'POST, DELETE, OPTIONS');
      return send(res, 204, 'text/plain', '');
    }
    return send(res, 405, 'text/plain', 'method not allowed');
  }
  send(res, 404, 'text/plain', 'not found');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`offer larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
