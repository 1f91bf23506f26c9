import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { interfaceMtu, interfaceMtuForAddress, interfaceNameForAddress } from '@rivulet/common';

/** @rivulet/common's interface MTU lookup, which the WebRTC bundle turns into the PLPMTUD cap. */
describe('interface MTU lookup (MAX_PLPMTU input)', () => {
  it('finds the loopback interface of 127.0.0.1 and reads its MTU from sysfs (Linux)', function () {
    if (process.platform !== 'linux') this.skip();
    expect(interfaceNameForAddress('127.0.0.1')).to.equal('lo');
    const expected = Number(readFileSync('/sys/class/net/lo/mtu', 'utf8').trim());
    expect(interfaceMtuForAddress('127.0.0.1')).to.equal(expected);
    // IPv4-mapped form of the same address.
    expect(interfaceMtuForAddress('::ffff:127.0.0.1')).to.equal(expected);
  });

  it('an address that is not local, and unsafe or unknown interface names, give undefined', () => {
    expect(interfaceNameForAddress('192.0.2.77')).to.equal(undefined);
    expect(interfaceMtuForAddress('192.0.2.77')).to.equal(undefined);
    expect(interfaceMtu('../../etc')).to.equal(undefined);
    expect(interfaceMtu('a/b')).to.equal(undefined);
    expect(interfaceMtu('no-such-if0')).to.equal(undefined);
  });

  it('reads and validates the mtu file', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rivulet-sysfs-'));
    try {
      mkdirSync(path.join(root, 'eth9'));
      writeFileSync(path.join(root, 'eth9', 'mtu'), '9000\n');
      mkdirSync(path.join(root, 'bad0'));
      writeFileSync(path.join(root, 'bad0', 'mtu'), 'lots\n');
      expect(interfaceMtu('eth9', root)).to.equal(9000);
      expect(interfaceMtu('bad0', root)).to.equal(undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
