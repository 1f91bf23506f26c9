/**
 * When an RTSP camera drops (rebooted, Wi-Fi gone, server restarted), a
 * gateway wants it back without a restart of its own. The policy: retry with
 * exponential backoff, from `initialDelayMs` doubling up to `maxDelayMs`,
 * forever (a camera can be away for hours); the attempt count starts over once
 * the camera delivers a frame again.
 */
export interface RtspReconnectPolicy {
  /** Delay before the first retry (default 500 ms). */
  initialDelayMs?: number;
  /** Longest delay between retries (default 10 000 ms). */
  maxDelayMs?: number;
}

export const DEFAULT_RTSP_RECONNECT = { initialDelayMs: 500, maxDelayMs: 10_000 } as const;

/** The policy an RtspInput's `reconnect` field asks for, validated; undefined for none. */
export function reconnectPolicy(reconnect: boolean | RtspReconnectPolicy | undefined): Required<RtspReconnectPolicy> | undefined {
  if (reconnect === undefined || reconnect === false) return undefined;
  const p = reconnect === true ? {} : reconnect;
  const initialDelayMs = p.initialDelayMs ?? DEFAULT_RTSP_RECONNECT.initialDelayMs;
  const maxDelayMs = p.maxDelayMs ?? Math.max(initialDelayMs, DEFAULT_RTSP_RECONNECT.maxDelayMs);
  if (!Number.isFinite(initialDelayMs) || initialDelayMs < 0) {
    throw new TypeError(`rtsp input reconnect.initialDelayMs must be a number of milliseconds >= 0, got ${String(p.initialDelayMs)}`);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < initialDelayMs) {
    throw new TypeError(`rtsp input reconnect.maxDelayMs must be at least initialDelayMs (${initialDelayMs}), got ${String(p.maxDelayMs)}`);
  }
  return { initialDelayMs, maxDelayMs };
}

/** The wait before retry number `attempt` (1, 2, ...): initial × 2^(attempt−1), capped. */
export function reconnectDelayMs(policy: Required<RtspReconnectPolicy>, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`reconnect attempt must be an integer >= 1, got ${attempt}`);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
}
