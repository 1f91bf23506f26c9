import { expect } from 'chai';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enumerateDevices, TEST_PATTERN_DEVICE_ID } from '@rivulet/media';

describe('enumerateDevices', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'rivulet-sysfs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function camera(node: string, name: string, index: string): void {
    const dir = path.join(root, 'sys/class/video4linux', node);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'name'), `${name}\n`);
    writeFileSync(path.join(dir, 'index'), `${index}\n`);
  }

  it('lists capture nodes only (index 0), in numeric order, plus ALSA cards and the test pattern', () => {
    camera('video10', 'USB Cam B', '0');
    camera('video2', 'USB Cam A', '0');
    camera('video3', 'USB Cam A', '1');
    mkdirSync(path.join(root, 'proc/asound'), { recursive: true });
    writeFileSync(
      path.join(root, 'proc/asound/cards'),
      ' 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf1230000 irq 32\n 1 [Mic            ]: USB-Audio - USB Microphone\n',
    );
    const devices = enumerateDevices({ root }).map((d) => d.toJSON());
    expect(devices).to.deep.equal([
      { deviceId: '/dev/video2', kind: 'videoinput', label: 'USB Cam A', groupId: 'v4l2:USB Cam A' },
      { deviceId: '/dev/video10', kind: 'videoinput', label: 'USB Cam B', groupId: 'v4l2:USB Cam B' },
      { deviceId: 'hw:0,0', kind: 'audioinput', label: 'HDA Intel PCH', groupId: 'alsa:0' },
      { deviceId: 'hw:1,0', kind: 'audioinput', label: 'USB Microphone', groupId: 'alsa:1' },
      { deviceId: TEST_PATTERN_DEVICE_ID, kind: 'videoinput', label: 'Rivulet test pattern (testsrc2)', groupId: 'rivulet:test' },
      { deviceId: `${TEST_PATTERN_DEVICE_ID}:tone`, kind: 'audioinput', label: 'Rivulet test tone (440 Hz)', groupId: 'rivulet:test' },
    ]);
  });

  it('still offers the test pattern on a machine with no camera', () => {
    const devices = enumerateDevices({ root });
    expect(devices.map((d) => d.kind)).to.deep.equal(['videoinput', 'audioinput']);
    expect(enumerateDevices({ root, includeTestPattern: false })).to.deep.equal([]);
  });
});
