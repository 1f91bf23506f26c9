import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { servePage } from './pageServer.js';

export const FIREFOX_PATH = process.env['RIVULET_FIREFOX'] ?? '/usr/bin/firefox-esr';
export const FIREFOX_APT = 'firefox-esr';

/**
 * Debian's Firefox ESR, headless, driven by puppeteer-core over WebDriver
 * BiDi (puppeteer-core never downloads a browser; puppeteer gives every
 * launch a fresh temporary profile with these prefs). The page is served
 * from http://127.0.0.1, which is a secure context, so getUserMedia and
 * RTCPeerConnection are available.
 *
 * Firefox's defaults would hide loopback: it gathers no candidates on `lo`
 * and replaces host addresses with mDNS names. The prefs below make it offer
 * plain 127.0.0.1 host candidates, which is all a loopback-only network
 * namespace has.
 */
export const FIREFOX_WEBRTC_PREFS: Readonly<Record<string, boolean | number | string>> = {
  // Gather host candidates on the loopback interface (off by default).
  'media.peerconnection.ice.loopback': true,
  // Host candidates as IP addresses, not <uuid>.local mDNS names (RFC 8828 mode 3 → mode 1-ish for tests).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Every interface, not only the one of the default route (there is none in the namespace).
  'media.peerconnection.ice.default_address_only': false,
  'media.peerconnection.ice.no_host': false,
  'media.peerconnection.ice.proxy_only': false,
  'media.peerconnection.ice.relay_only': false,
  // Fake camera and microphone, granted without a prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Without a camera/microphone permission Firefox gathers on the default-route address only
  // ("use only default local addresses" in its ICE log), and a loopback-only namespace has no
  // default route, so gathering fails and iceGatheringState stays 'new'. A granted permission
  // (here: the default for every origin) lifts that restriction.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  // Autoplay of the remote media elements without a gesture.
  'media.autoplay.default': 0,
  // Keep the browser quiet on a machine without internet.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

export interface FirefoxSession {
  browser: Browser;
  page: Page;
  origin: string;
  /** How long the browser took to start, ms. */
  launchMs: number;
  close(): Promise<void>;
}

export interface FirefoxLaunchOptions {
  /** Offer loopback host candidates (default true); false keeps Firefox's defaults (no loopback, mDNS names). */
  loopback?: boolean;
  /** Extra HTML placed in the page body. */
  body?: string;
  /** Extra or overriding prefs. */
  prefs?: Record<string, boolean | number | string>;
  /** Launch timeout, ms (default 60 s: a cold Firefox start on a busy 2-core machine takes 5-15 s). */
  timeoutMs?: number;
}

export async function launchFirefox(options: FirefoxLaunchOptions = {}): Promise<FirefoxSession> {
  const prefs: Record<string, unknown> = { ...FIREFOX_WEBRTC_PREFS };
  if (options.loopback === false) {
    delete prefs['media.peerconnection.ice.loopback'];
    delete prefs['media.peerconnection.ice.obfuscate_host_addresses'];
  }
  Object.assign(prefs, options.prefs);
  const server = await servePage(options.body);
  const origin = server.origin;
  const closeServer = server.close;
  const t0 = Date.now();
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      headless: true,
      timeout: options.timeoutMs ?? 60_000,
      extraPrefsFirefox: prefs,
      // Our test runner owns signals; puppeteer still kills the browser when the process exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      dumpio: process.env['RIVULET_FIREFOX_DUMPIO'] === '1',
    });
  } catch (err) {
    await closeServer();
    throw err;
  }
  const launchMs = Date.now() - t0;
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return {
      browser,
      page,
      origin,
      launchMs,
      close: () => closeBrowser(browser).finally(closeServer),
    };
  } catch (err) {
    await closeBrowser(browser);
    await closeServer();
    throw err;
  }
}

/** browser.close() bounded to 10 s, then SIGKILL of the Firefox process if it is still there. */
async function closeBrowser(browser: Browser): Promise<void> {
  const proc = browser.process();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    browser.close().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2_000))]);
  }
}

/** The browser-side helpers (plain JS, see that file): offer(kind), answer(sdp, withMedia), connectPair(), closeAll(). */
export const HARNESS_SCRIPT = fileURLToPath(new URL('../fixtures/firefox/harness.js', import.meta.url));

export type HarnessOfferKind = 'av-data' | 'data' | 'simulcast' | 'recvonly';

export interface HarnessDescription {
  id: number;
  sdp: string;
  /** The candidate lines Firefox trickled (without the a= prefix). */
  candidates: string[];
}

export interface HarnessCandidate {
  address: string;
  port: number;
  protocol: string;
  candidateType: string;
}

export interface HarnessPairResult {
  echo: string;
  remoteTracks: string[];
  states: string[];
  local: HarnessCandidate | null;
  remote: HarnessCandidate | null;
}

/** Typed calls into window.rivuletHarness; the script is added to the page on first use. */
export class FirefoxHarness {
  private installed = false;
  constructor(readonly page: Page) {}

  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (!this.installed) {
      await this.page.addScriptTag({ content: readFileSync(HARNESS_SCRIPT, 'utf8') });
      this.installed = true;
    }
    // A string expression, so no TypeScript transform of ours ever reaches the browser.
    return (await this.page.evaluate(`window.rivuletHarness.${method}(...${JSON.stringify(args)})`)) as T;
  }

  userAgent(): Promise<string> {
    return this.call('userAgent');
  }
  offer(kind: HarnessOfferKind): Promise<HarnessDescription> {
    return this.call('offer', kind);
  }
  answer(offerSdp: string, withMedia: boolean): Promise<HarnessDescription> {
    return this.call('answer', offerSdp, withMedia);
  }
  connectPair(): Promise<HarnessPairResult> {
    return this.call('connectPair');
  }
  closeAll(): Promise<void> {
    return this.call('closeAll');
  }
}
