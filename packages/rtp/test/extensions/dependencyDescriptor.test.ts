import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import {
  parseDependencyDescriptor,
  serializeDependencyDescriptor,
  resolveDependencyDescriptorFrame,
  DependencyDescriptorTracker,
  type DdStructure,
  type DependencyDescriptor,
} from '../../src/extensions/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Hand-assembled from AV1 RTP spec A.4.1: start=1 end=1 template 0 frame 1; structure with one
// template S0T0, one decode target (DTI switch), one chain, no fdiffs, 640x480.
const ATTACHED = hex('c000018000e4204fe03be0');

// An L1T3-like structure: S0T0 key, S0T0, S0T1, S0T2 x2; three decode targets, one chain.
const L1T3: DdStructure = {
  templateIdOffset: 10,
  decodeTargetCount: 3,
  templates: [
    { spatialId: 0, temporalId: 0, dtis: [2, 2, 2], fdiffs: [], chainFdiffs: [0] },
    { spatialId: 0, temporalId: 0, dtis: [2, 2, 2], fdiffs: [4], chainFdiffs: [4] },
    { spatialId: 0, temporalId: 1, dtis: [0, 2, 2], fdiffs: [2], chainFdiffs: [2] },
    { spatialId: 0, temporalId: 2, dtis: [0, 0, 1], fdiffs: [1], chainFdiffs: [1] },
    { spatialId: 0, temporalId: 2, dtis: [0, 0, 1], fdiffs: [1], chainFdiffs: [3] },
  ],
  chainCount: 1,
  decodeTargetProtectedBy: [0, 0, 0],
};

describe('AV1 dependency descriptor (AV1 RTP spec Appendix A)', () => {
  it('reads the 3-byte mandatory form', () => {
    expect(parseDependencyDescriptor(hex('811234'))).to.deep.equal({ startOfFrame: true, endOfFrame: false, templateId: 1, frameNumber: 0x1234 });
    expect(parseDependencyDescriptor(hex('7fffff'))).to.deep.equal({ startOfFrame: false, endOfFrame: true, templateId: 63, frameNumber: 0xffff });
  });

  it('reads an attached structure with chains and render resolution', () => {
    const dd = parseDependencyDescriptor(ATTACHED);
    expect(dd).to.deep.equal({
      startOfFrame: true,
      endOfFrame: true,
      templateId: 0,
      frameNumber: 1,
      structure: {
        templateIdOffset: 0,
        decodeTargetCount: 1,
        templates: [{ spatialId: 0, temporalId: 0, dtis: [2], fdiffs: [], chainFdiffs: [0] }],
        chainCount: 1,
        decodeTargetProtectedBy: [0],
        resolutions: [{ width: 640, height: 480 }],
      },
    });
    expect(serializeDependencyDescriptor(dd).toString('hex')).to.equal(ATTACHED.toString('hex'));
    expect(resolveDependencyDescriptorFrame(dd, dd.structure!)).to.deep.equal({
      spatialId: 0, temporalId: 0, dtis: [2], fdiffs: [], chainFdiffs: [0], maxWidth: 640, maxHeight: 480,
    });
  });

  it('round-trips a multi-template structure, bitmask and custom fields', () => {
    const first: DependencyDescriptor = { startOfFrame: true, endOfFrame: true, templateId: 10, frameNumber: 100, structure: L1T3, activeDecodeTargetsBitmask: 0b011 };
    expect(parseDependencyDescriptor(serializeDependencyDescriptor(first))).to.deep.equal(first);
    const custom: DependencyDescriptor = {
      startOfFrame: false, endOfFrame: true, templateId: 13, frameNumber: 65535,
      customDtis: [0, 1, 3], customFdiffs: [1, 16, 17, 255, 256, 4096], customChainFdiffs: [200],
    };
    const bytes = serializeDependencyDescriptor(custom, L1T3);
    expect(parseDependencyDescriptor(bytes, L1T3)).to.deep.equal(custom);
    expect(() => parseDependencyDescriptor(bytes)).to.throw(ParseError, /structure/);
    expect(resolveDependencyDescriptorFrame(custom, L1T3)).to.deep.equal({ spatialId: 0, temporalId: 2, dtis: [0, 1, 3], fdiffs: [1, 16, 17, 255, 256, 4096], chainFdiffs: [200] });
    expect(resolveDependencyDescriptorFrame({ ...custom, templateId: 9 }, L1T3)).to.equal(undefined);
    expect(resolveDependencyDescriptorFrame({ startOfFrame: true, endOfFrame: true, templateId: 12, frameNumber: 1 }, L1T3)!.temporalId).to.equal(1);
  });

  it('round-trips multiple spatial layers (next_layer_idc 2) and non-power-of-two ns() values', () => {
    const s: DdStructure = {
      templateIdOffset: 63,
      decodeTargetCount: 5,
      templates: [
        { spatialId: 0, temporalId: 0, dtis: [3, 3, 3, 3, 3], fdiffs: [], chainFdiffs: [0, 0, 0] },
        { spatialId: 1, temporalId: 0, dtis: [0, 3, 3, 3, 3], fdiffs: [1], chainFdiffs: [1, 0, 0] },
        { spatialId: 1, temporalId: 1, dtis: [0, 0, 1, 1, 1], fdiffs: [2, 3], chainFdiffs: [2, 1, 15] },
        { spatialId: 2, temporalId: 0, dtis: [0, 0, 0, 3, 2], fdiffs: [16], chainFdiffs: [3, 2, 1] },
      ],
      chainCount: 3,
      decodeTargetProtectedBy: [0, 1, 1, 2, 2],
      resolutions: [{ width: 320, height: 180 }, { width: 640, height: 360 }, { width: 65536, height: 1 }],
    };
    const dd: DependencyDescriptor = { startOfFrame: true, endOfFrame: false, templateId: 1, frameNumber: 7, structure: s };
    expect(parseDependencyDescriptor(serializeDependencyDescriptor(dd))).to.deep.equal(dd);
    expect(resolveDependencyDescriptorFrame(dd, s)!.spatialId).to.equal(1); // (1 + 64 - 63) % 64 = 2 → S1T1
  });

  it('rejects truncated values and invalid structures', () => {
    expect(() => parseDependencyDescriptor(hex('8112'))).to.throw(ParseError, /at least 3 bytes/);
    expect(() => parseDependencyDescriptor(ATTACHED.subarray(0, 6))).to.throw(ParseError, /overruns/);
    const bad = { ...L1T3, templates: [L1T3.templates[0]!, { ...L1T3.templates[0]!, temporalId: 2 }] };
    expect(() => serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 0, frameNumber: 0, structure: bad })).to.throw(/cannot follow S0T0/);
    expect(() => serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 64, frameNumber: 0 })).to.throw(/templateId must be 0..63, got 64/);
  });
});

describe('DependencyDescriptorTracker', () => {
  it('keeps the latest structure and active decode targets across packets', () => {
    const t = new DependencyDescriptorTracker();
    // Before any structure a 3-byte descriptor is readable but not resolvable; custom fields are not.
    expect(t.read(hex('811234')).frame).to.equal(undefined);
    const needsStructure = serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 11, frameNumber: 1, customDtis: [1, 1, 1] }, L1T3);
    expect(() => t.read(needsStructure)).to.throw(ParseError);
    expect(t.tryRead(needsStructure)).to.equal(undefined);

    const key = t.read(serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 10, frameNumber: 100, structure: L1T3 }));
    expect(t.structure).to.deep.equal(L1T3);
    expect(key.activeDecodeTargetsBitmask).to.equal(0b111);
    expect(key.frame).to.deep.equal({ spatialId: 0, temporalId: 0, dtis: [2, 2, 2], fdiffs: [], chainFdiffs: [0] });

    const t2 = t.read(serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 13, frameNumber: 101 }));
    expect(t2.frame!.temporalId).to.equal(2);
    expect(t2.frame!.dtis).to.deep.equal([0, 0, 1]);
    expect(t2.activeDecodeTargetsBitmask).to.equal(0b111);

    const custom = t.read(needsStructure);
    expect(custom.frame!.dtis).to.deep.equal([1, 1, 1]);

    const masked = t.read(serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 12, frameNumber: 102, activeDecodeTargetsBitmask: 0b011 }, L1T3));
    expect(masked.activeDecodeTargetsBitmask).to.equal(0b011);
    expect(t.read(hex('c0ff00' /* template 0: out of range for offset 10 */)).frame).to.equal(undefined);
    expect(t.read(hex('c0ff01')).activeDecodeTargetsBitmask).to.equal(0b011);

    // A new structure replaces the old one and re-activates every decode target.
    const single: DdStructure = { templateIdOffset: 0, decodeTargetCount: 1, templates: [{ spatialId: 0, temporalId: 0, dtis: [3], fdiffs: [], chainFdiffs: [] }], chainCount: 0, decodeTargetProtectedBy: [] };
    const again = t.read(serializeDependencyDescriptor({ startOfFrame: true, endOfFrame: true, templateId: 0, frameNumber: 200, structure: single }));
    expect(again.activeDecodeTargetsBitmask).to.equal(1);
    expect(t.read(hex('c000c9')).frame).to.deep.equal({ spatialId: 0, temporalId: 0, dtis: [3], fdiffs: [], chainFdiffs: [] });
  });
});
