/**
 * Bounded waits for e2e tests: every wait has a deadline and names what it waited for, so a
 * timeout says which step of an interop run stalled (and, for value probes, the last value seen).
 */

/** Resolves when `cond()` holds, polling every 2 ms; rejects naming `what` after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Polls `probe` (sync, or async such as a page.evaluate) every `intervalMs` until `ok(value)`,
 * and resolves with that value; after `ms` rejects naming `what` and the last value probed.
 */
export async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The page of a browser session, as both playwright-core and puppeteer-core expose it. */
export interface PageLike {
  evaluate(js: string): Promise<unknown>;
}

/**
 * Polls the page expression `js` every `intervalMs` until it is truthy; after `ms` rejects
 * naming the browser and `what`. (Polling through evaluate works the same for playwright-core
 * and puppeteer-core, whose waitForFunction signatures differ.)
 */
export async function waitInPage(page: PageLike, js: string, what: string, ms = 15_000, intervalMs = 10, browser = 'the page'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await page.evaluate(js))) {
    if (Date.now() > end) throw new Error(`${browser}: timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
