/**
 * Debian Chromium driven by playwright-core for interop tests. Page code is
 * passed as strings (this package type-checks without the DOM lib). The
 * page is served from http://127.0.0.1 with getUserMedia granted (fake
 * devices) and --allow-loopback-in-peer-connection, so Chromium offers
 * 127.0.0.1 host candidates instead of mDNS names.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['RIVULET_CHROMIUM'] ?? '/usr/bin/chromium';

/** Skips (with what to install) when Chromium is missing; fails instead under CI=true. */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  const message = `${CHROMIUM} not found: install it with \`apt-get install chromium\``;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}

export interface Chromium {
  page: Page;
  eval<T>(js: string): Promise<T>;
  close(): Promise<void>;
}

export async function launch(): Promise<Chromium> {
  const server = createServer((_q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end('<!doctype html><title>rivulet</title>'); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        '--allow-loopback-in-peer-connection'],
    });
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const b = browser;
    return {
      page,
      eval: <T>(js: string) => page.evaluate(js) as Promise<T>,
      async close() {
        await b.close().catch(() => {});
        await new Promise<void>((res) => server.close(() => res()));
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    server.close();
    throw err;
  }
}
