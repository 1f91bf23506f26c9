import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** W3C MediaDeviceInfo (mediacapture-streams §9.2), as plain data. */
export interface MediaDeviceInfo {
  readonly deviceId: string;
  readonly kind: 'videoinput' | 'audioinput' | 'audiooutput';
  readonly label: string;
  readonly groupId: string;
  toJSON(): { deviceId: string; kind: string; label: string; groupId: string };
}

/** The built-in test pattern: always present, so code that asks for a camera works without one. */
export const TEST_PATTERN_DEVICE_ID = 'rivulet:test-pattern';

export interface EnumerateOptions {
  /** sysfs and procfs roots, injectable for tests (default '/'). */
  root?: string;
  /** Include the built-in test-pattern devices (default true). */
  includeTestPattern?: boolean;
}

function info(deviceId: string, kind: MediaDeviceInfo['kind'], label: string, groupId: string): MediaDeviceInfo {
  return {
    deviceId,
    kind,
    label,
    groupId,
    toJSON: () => ({ deviceId, kind, label, groupId }),
  };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * V4L2 capture devices from /sys/class/video4linux (one entry per /dev/videoN
 * whose `index` is 0: further nodes of the same camera carry metadata, not
 * frames) and ALSA capture cards from /proc/asound.
 */
export function enumerateDevices(options: EnumerateOptions = {}): MediaDeviceInfo[] {
  const root = options.root ?? '/';
  const out: MediaDeviceInfo[] = [];
  const v4l = path.join(root, 'sys/class/video4linux');
  if (existsSync(v4l)) {
    const names = readdirSync(v4l).filter((n) => /^video\d+$/.test(n));
    names.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    for (const name of names) {
      const index = read(path.join(v4l, name, 'index'));
      if (index !== undefined && index !== '0') continue;
      const label = read(path.join(v4l, name, 'name')) ?? name;
      out.push(info(`/dev/${name}`, 'videoinput', label, `v4l2:${label}`));
    }
  }
  const cards = read(path.join(root, 'proc/asound/cards'));
  if (cards) {
    // Lines like: " 0 [PCH            ]: HDA-Intel - HDA Intel PCH"
    for (const line of cards.split('\n')) {
      const m = /^\s*(\d+)\s+\[([^\]]+)\]:\s*(.*?)\s+-\s+(.*)$/.exec(line);
      if (!m) continue;
      const [, num, , , label] = m;
      out.push(info(`hw:${num},0`, 'audioinput', label!.trim(), `alsa:${num}`));
    }
  }
  if (options.includeTestPattern !== false) {
    out.push(info(TEST_PATTERN_DEVICE_ID, 'videoinput', 'Rivulet test pattern (testsrc2)', 'rivulet:test'));
    out.push(info(`${TEST_PATTERN_DEVICE_ID}:tone`, 'audioinput', 'Rivulet test tone (440 Hz)', 'rivulet:test'));
  }
  return out;
}
