import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { servePage } from './pageServer.js';

export const CHROMIUM_PATH = process.env['RIVULET_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, driven by playwright-core (test tools cannot
 * download browsers here). The page is served from http://127.0.0.1 and
 * getUserMedia is granted with fake devices (playwright gives every launch
 * a fresh temporary profile): together with
 * --allow-loopback-in-peer-connection this makes Chromium offer 127.0.0.1
 * host candidates instead of hiding them behind mDNS names.
 */
export interface ChromiumSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  origin: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Offer loopback candidates (default true); false makes Chromium use mDNS .local host candidates. */
  loopback?: boolean;
  /** Extra HTML placed in the page body. */
  body?: string;
}

/** The command line every e2e Chromium runs with (DESIGN.md "Real parts"), plus loopback candidates unless `loopback` is false. */
export function chromiumArgs(loopback = true): string[] {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ];
  if (loopback) args.push('--allow-loopback-in-peer-connection');
  return args;
}

/** Debian's Chromium with chromiumArgs(loopback), for tests that open their own contexts and pages. */
export function launchChromiumBrowser(loopback = true): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: chromiumArgs(loopback), headless: true, timeout: 30_000 });
}

export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  const server = await servePage(options.body);
  const origin = server.origin;
  const browser = await launchChromiumBrowser(options.loopback !== false);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  if (options.loopback !== false) {
    // A granted getUserMedia is what lets Chromium expose host addresses.
    await page.evaluate(async () => {
      const s: MediaStream = await window.navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      s.getTracks().forEach((t) => t.stop());
    });
  }
  return {
    browser,
    context,
    page,
    origin,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}
