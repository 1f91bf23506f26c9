import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The page the browser tests run in, served from http://127.0.0.1:<free port>. A loopback HTTP
 * origin is a secure context (getUserMedia and RTCPeerConnection are there), and Chromium only
 * offers 127.0.0.1 host candidates to a page from such an origin (support/chromium.ts).
 */
export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Serves one blank HTML page (with `body` in it) for every path. */
export async function servePage(body = ''): Promise<PageServer> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><head><title>rivulet e2e</title></head><body>${body}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
