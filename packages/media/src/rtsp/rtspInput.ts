/**
 * An RTSP camera as an ffmpeg input, and what to say when it stops.
 *
 * ffmpeg is the RTSP client (RFC 2326 / RFC 7826): it sends OPTIONS, DESCRIBE,
 * SETUP, PLAY, answers 401 challenges with Basic or Digest credentials from
 * the URL (RFC 2617 / RFC 7616), keeps the session alive with GET_PARAMETER
 * (or OPTIONS) at half the server's Session timeout (RFC 2326 §12.37), and
 * depayloads RTP carried over UDP or interleaved in the RTSP TCP connection
 * (RFC 2326 §10.12). This file chooses its options and turns the ways it
 * stops into one clear error for FfmpegSource's 'ended' event.
 */
import { reconnectPolicy, type RtspReconnectPolicy } from './reconnect.js';
import type { RtspTimeoutOption } from './timeoutOption.js';

export interface RtspInput {
  type: 'rtsp';
  /** rtsp://[user:password@]host[:port]/path; credentials answer Basic or Digest challenges. */
  url: string;
  /**
   * RTSP transport for the camera leg (default 'tcp', which survives lossy Wi-Fi cameras best).
   * 'tcp' forces interleaved RTP (RFC 2326 §10.12) even when the server also offers UDP.
   */
  transport?: 'tcp' | 'udp';
  /**
   * A camera that sends nothing for this long ends the source with an error (default 5000 ms).
   * Without it a server that stops sending but keeps the TCP connection open would hang the
   * source forever.
   */
  stallTimeoutMs?: number;
  /**
   * Reconnect when a camera that has delivered frames drops, instead of ending (default false):
   * FfmpegSource emits 'reconnecting' and starts ffmpeg again with backoff, forever, until stop().
   * Timestamps stay monotonic across the gap. A camera that never delivered a frame (wrong URL,
   * password, port) still ends at once with the reason.
   */
  reconnect?: boolean | RtspReconnectPolicy;
}

export const DEFAULT_RTSP_STALL_TIMEOUT_MS = 5_000;

/**
 * ffmpeg input arguments for an RTSP camera; throws a TypeError naming the bad field.
 *
 * @param timeoutOption the socket timeout option of the ffmpeg that will run them (rtspTimeoutOption:
 *   `-stimeout` before ffmpeg 5.0); null when that ffmpeg has none, and then a stall is not bounded.
 */
export function rtspInputArgs(input: RtspInput, timeoutOption: RtspTimeoutOption | null = '-timeout'): string[] {
  if (typeof input.url !== 'string' || !/^rtsps?:\/\//.test(input.url)) {
    throw new TypeError(`rtsp input needs an rtsp:// URL, got '${redactRtspCredentials(String(input.url))}'`);
  }
  const transport = input.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'udp') {
    throw new TypeError(`rtsp input transport must be 'tcp' or 'udp', got '${String(transport)}'`);
  }
  const stallMs = input.stallTimeoutMs ?? DEFAULT_RTSP_STALL_TIMEOUT_MS;
  if (!Number.isFinite(stallMs) || stallMs <= 0) {
    throw new TypeError(`rtsp input stallTimeoutMs must be a positive number of milliseconds, got ${String(input.stallTimeoutMs)}`);
  }
  reconnectPolicy(input.reconnect); // validates
  return [
    '-rtsp_transport', transport,
    // ffmpeg's socket I/O timeout, in microseconds: bounds the TCP connect, every read on the
    // interleaved connection and, over UDP, the wait for RTP.
    ...(timeoutOption ? [timeoutOption, String(Math.round(stallMs * 1000))] : []),
    '-i', input.url,
  ];
}

/**
 * Replaces the password of every URL (rtsp://user:password@host, or any other
 * scheme) in `text` with ***: ffmpeg repeats the input URL in its errors, and
 * those end up in logs.
 */
export function redactRtspCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, '$1:***@');
}

/**
 * The error FfmpegSource's 'ended' carries when an RTSP camera stops without
 * being asked to. A live camera never ends on its own, so even ffmpeg's clean
 * exit (the server closed the connection or tore the session down) is an error.
 *
 * @param exitError FfmpegProcess's error for an abnormal exit, if any.
 * @param diagnostics the last lines ffmpeg printed.
 */
export function rtspEndedError(input: RtspInput, exitError: Error | undefined, diagnostics: string): Error {
  const url = redactRtspCredentials(input.url);
  const stallMs = input.stallTimeoutMs ?? DEFAULT_RTSP_STALL_TIMEOUT_MS;
  // The raw H.264 muxer complains (at error level) about two packets with one timestamp, which the
  // RTSP demuxer produces for a picture split around repeated parameter sets; it says nothing about why
  // the stream ended.
  const said = diagnostics
    .split('\n')
    .filter((line) => line.trim() && !/non monotonically increasing dts/.test(line))
    .join('\n');
  let reason: string;
  if (exitError) reason = exitError.message;
  else if (/Connection timed out/i.test(said)) reason = `no data from the server for ${stallMs} ms (stalled): ${said}`;
  // A server killed with unread data in its socket resets the connection instead of closing it.
  else if (/Connection reset by peer/i.test(said)) reason = `the server closed the connection or ended the session: ${said}`;
  else if (said) reason = `ffmpeg stopped: ${said}`;
  else reason = 'the server closed the connection or ended the session';
  return new Error(`RTSP source ${url} ended: ${redactRtspCredentials(reason)}`);
}
