import { spawnSync } from 'node:child_process';

/**
 * The RTSP demuxer's socket I/O timeout changed name in ffmpeg 5.0: before,
 * it was `-stimeout` and `-timeout` meant "listen for an incoming connection
 * for this many seconds" — passing it to an old ffmpeg turns the camera
 * client into a server ("Unable to open RTSP for listening"). Version strings
 * do not tell (static and git builds print "N-47683-g0e8eb07980"), so ask the
 * binary which options its RTSP demuxer has.
 */
export type RtspTimeoutOption = '-timeout' | '-stimeout';

/**
 * From `ffmpeg -h demuxer=rtsp` output: the option that sets the socket I/O
 * timeout in microseconds, or undefined when the demuxer lists neither.
 */
export function rtspTimeoutOptionFromHelp(help: string): RtspTimeoutOption | undefined {
  for (const line of help.split('\n')) {
    if (/^\s*-timeout\s.*microseconds/.test(line)) return '-timeout';
  }
  for (const line of help.split('\n')) {
    if (/^\s*-stimeout\s/.test(line)) return '-stimeout';
  }
  return undefined;
}

const cache = new Map<string, RtspTimeoutOption | undefined>();

/** Asks `binary` once (at most 5 s; cached per binary) which socket timeout option its RTSP demuxer takes. */
export function rtspTimeoutOption(binary: string): RtspTimeoutOption | undefined {
  if (cache.has(binary)) return cache.get(binary);
  const r = spawnSync(binary, ['-hide_banner', '-h', 'demuxer=rtsp'], { encoding: 'utf8', timeout: 5_000 });
  const option = r.status === 0 ? rtspTimeoutOptionFromHelp(`${r.stdout}\n${r.stderr}`) : undefined;
  cache.set(binary, option);
  return option;
}
