import { ParseError } from '@rivulet/common';
import { BitReader, BitWriter } from './bits.js';

/**
 * AV1 RTP specification, Appendix A: the Dependency Descriptor (DD) header
 * extension. We parse and write every field of A.4.1: the mandatory fields,
 * the extended flags, the template dependency structure (layers, DTIs, fdiffs,
 * chains, render resolutions), the active decode target bitmask and the custom
 * per-frame DTIs/fdiffs/chains. Custom fields and the bitmask can only be read
 * with a structure (attached to this packet or given from an earlier one).
 */

/** Table A.2 decode target indications. */
export const DecodeTargetIndication = { NotPresent: 0, Discardable: 1, Switch: 2, Required: 3 } as const;

export interface DdTemplate {
  spatialId: number;
  temporalId: number;
  /** One DTI (0..3) per decode target. */
  dtis: number[];
  /** Frame number differences to referred frames, 1..16. */
  fdiffs: number[];
  /** One chain fdiff (0..15) per chain. */
  chainFdiffs: number[];
}

export interface DdStructure {
  templateIdOffset: number;
  decodeTargetCount: number;
  /** Templates in order; spatial/temporal ids must follow the next_layer_idc rules (A.4.2 Table A.3). */
  templates: DdTemplate[];
  chainCount: number;
  /** Chain index protecting each decode target (empty when chainCount is 0). */
  decodeTargetProtectedBy: number[];
  /** Max render resolution per spatial id, when present. */
  resolutions?: Array<{ width: number; height: number }>;
}

export interface DependencyDescriptor {
  startOfFrame: boolean;
  endOfFrame: boolean;
  /** frame_dependency_template_id, 0..63. */
  templateId: number;
  frameNumber: number;
  /** Attached template dependency structure (first packet of a coded video sequence). */
  structure?: DdStructure;
  /** Present on the wire only when active_decode_targets_present_flag is 1. */
  activeDecodeTargetsBitmask?: number;
  customDtis?: number[];
  /** Custom frame fdiffs, 1..4096. */
  customFdiffs?: number[];
  /** Custom chain fdiffs, 0..255. */
  customChainFdiffs?: number[];
}

/** The resolved description of the frame (A.4.1 frame_dependency_definition). */
export interface DdFrameInfo {
  spatialId: number;
  temporalId: number;
  dtis: number[];
  fdiffs: number[];
  chainFdiffs: number[];
  maxWidth?: number;
  maxHeight?: number;
}

function readStructure(r: BitReader): DdStructure {
  const templateIdOffset = r.f(6);
  const decodeTargetCount = r.f(5) + 1;
  const templates: DdTemplate[] = [];
  let spatialId = 0;
  let temporalId = 0;
  for (;;) {
    templates.push({ spatialId, temporalId, dtis: [], fdiffs: [], chainFdiffs: [] });
    if (templates.length > 64) throw new ParseError('DD structure has more than 64 templates');
    const idc = r.f(2);
    if (idc === 3) break;
    if (idc === 1) temporalId++;
    else if (idc === 2) {
      temporalId = 0;
      spatialId++;
    }
  }
  for (const t of templates) for (let d = 0; d < decodeTargetCount; d++) t.dtis.push(r.f(2));
  for (const t of templates) while (r.f(1)) t.fdiffs.push(r.f(4) + 1);
  const chainCount = r.ns(decodeTargetCount + 1);
  const decodeTargetProtectedBy: number[] = [];
  if (chainCount > 0) {
    for (let d = 0; d < decodeTargetCount; d++) decodeTargetProtectedBy.push(r.ns(chainCount));
    for (const t of templates) for (let c = 0; c < chainCount; c++) t.chainFdiffs.push(r.f(4));
  }
  const s: DdStructure = { templateIdOffset, decodeTargetCount, templates, chainCount, decodeTargetProtectedBy };
  if (r.f(1)) {
    s.resolutions = [];
    for (let sid = 0; sid <= spatialId; sid++) s.resolutions.push({ width: r.f(16) + 1, height: r.f(16) + 1 });
  }
  return s;
}

/**
 * Parses a DD value. `known` is the structure from an earlier packet, needed
 * when this one carries custom fields or the bitmask without attaching one.
 */
export function parseDependencyDescriptor(data: Buffer, known?: DdStructure): DependencyDescriptor {
  if (data.length < 3) throw new ParseError(`dependency descriptor must be at least 3 bytes, got ${data.length}`);
  const r = new BitReader(data);
  const dd: DependencyDescriptor = {
    startOfFrame: r.f(1) === 1,
    endOfFrame: r.f(1) === 1,
    templateId: r.f(6),
    frameNumber: r.f(16),
  };
  if (data.length === 3) return dd;
  const structurePresent = r.f(1);
  const activePresent = r.f(1);
  const customDtis = r.f(1);
  const customFdiffs = r.f(1);
  const customChains = r.f(1);
  if (structurePresent) dd.structure = readStructure(r);
  const s = dd.structure ?? known;
  if ((activePresent || customDtis || customChains) && !s) {
    throw new ParseError('dependency descriptor has fields sized by a template structure it does not carry');
  }
  if (activePresent) dd.activeDecodeTargetsBitmask = r.f(s!.decodeTargetCount);
  if (customDtis) {
    dd.customDtis = [];
    for (let d = 0; d < s!.decodeTargetCount; d++) dd.customDtis.push(r.f(2));
  }
  if (customFdiffs) {
    dd.customFdiffs = [];
    for (let size = r.f(2); size !== 0; size = r.f(2)) dd.customFdiffs.push(r.f(4 * size) + 1);
  }
  if (customChains) {
    dd.customChainFdiffs = [];
    for (let c = 0; c < s!.chainCount; c++) dd.customChainFdiffs.push(r.f(8));
  }
  // The rest is zero_padding, ignored by receivers (A.4.2).
  return dd;
}

/** Resolves the frame's layer ids, DTIs, fdiffs and chains from its template; undefined if the template id is out of range. */
export function resolveDependencyDescriptorFrame(dd: DependencyDescriptor, structure: DdStructure): DdFrameInfo | undefined {
  const index = (dd.templateId + 64 - structure.templateIdOffset) % 64;
  const t = structure.templates[index];
  if (!t) return undefined;
  const info: DdFrameInfo = {
    spatialId: t.spatialId,
    temporalId: t.temporalId,
    dtis: dd.customDtis ?? t.dtis,
    fdiffs: dd.customFdiffs ?? t.fdiffs,
    chainFdiffs: dd.customChainFdiffs ?? t.chainFdiffs,
  };
  const res = structure.resolutions?.[t.spatialId];
  if (res) {
    info.maxWidth = res.width;
    info.maxHeight = res.height;
  }
  return info;
}

function check(what: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`dependency descriptor ${what} must be ${min}..${max}, got ${v}`);
}

function writeStructure(w: BitWriter, s: DdStructure): void {
  check('templateIdOffset', s.templateIdOffset, 0, 63);
  check('decodeTargetCount', s.decodeTargetCount, 1, 32);
  check('template count', s.templates.length, 1, 64);
  check('chainCount', s.chainCount, 0, s.decodeTargetCount);
  w.f(6, s.templateIdOffset);
  w.f(5, s.decodeTargetCount - 1);
  const first = s.templates[0]!;
  if (first.spatialId !== 0 || first.temporalId !== 0) throw new Error('dependency descriptor first template must have spatial and temporal id 0');
  for (let i = 1; i <= s.templates.length; i++) {
    const prev = s.templates[i - 1]!;
    const next = s.templates[i];
    if (!next) w.f(2, 3);
    else if (next.spatialId === prev.spatialId && next.temporalId === prev.temporalId) w.f(2, 0);
    else if (next.spatialId === prev.spatialId && next.temporalId === prev.temporalId + 1) w.f(2, 1);
    else if (next.spatialId === prev.spatialId + 1 && next.temporalId === 0) w.f(2, 2);
    else throw new Error(`dependency descriptor template ${i} (S${next.spatialId}T${next.temporalId}) cannot follow S${prev.spatialId}T${prev.temporalId}`);
  }
  for (const t of s.templates) {
    if (t.dtis.length !== s.decodeTargetCount) throw new Error(`dependency descriptor template has ${t.dtis.length} DTIs, structure has ${s.decodeTargetCount} decode targets`);
    for (const d of t.dtis) {
      check('DTI', d, 0, 3);
      w.f(2, d);
    }
  }
  for (const t of s.templates) {
    for (const fd of t.fdiffs) {
      check('template fdiff', fd, 1, 16);
      w.f(1, 1);
      w.f(4, fd - 1);
    }
    w.f(1, 0);
  }
  w.ns(s.decodeTargetCount + 1, s.chainCount);
  if (s.chainCount > 0) {
    if (s.decodeTargetProtectedBy.length !== s.decodeTargetCount) throw new Error('dependency descriptor needs one protecting chain per decode target');
    for (const c of s.decodeTargetProtectedBy) {
      check('decodeTargetProtectedBy', c, 0, s.chainCount - 1);
      w.ns(s.chainCount, c);
    }
    for (const t of s.templates) {
      if (t.chainFdiffs.length !== s.chainCount) throw new Error(`dependency descriptor template has ${t.chainFdiffs.length} chain fdiffs, structure has ${s.chainCount} chains`);
      for (const c of t.chainFdiffs) {
        check('template chain fdiff', c, 0, 15);
        w.f(4, c);
      }
    }
  }
  const maxSpatial = s.templates[s.templates.length - 1]!.spatialId;
  if (s.resolutions) {
    if (s.resolutions.length !== maxSpatial + 1) throw new Error(`dependency descriptor needs ${maxSpatial + 1} resolutions, got ${s.resolutions.length}`);
    w.f(1, 1);
    for (const res of s.resolutions) {
      check('render width', res.width, 1, 65536);
      check('render height', res.height, 1, 65536);
      w.f(16, res.width - 1);
      w.f(16, res.height - 1);
    }
  } else {
    w.f(1, 0);
  }
}

/** Writes a DD value; the 3-byte form when no extended field is set. */
export function serializeDependencyDescriptor(dd: DependencyDescriptor, known?: DdStructure): Buffer {
  check('templateId', dd.templateId, 0, 63);
  check('frameNumber', dd.frameNumber, 0, 0xffff);
  const w = new BitWriter();
  w.f(1, dd.startOfFrame ? 1 : 0);
  w.f(1, dd.endOfFrame ? 1 : 0);
  w.f(6, dd.templateId);
  w.f(16, dd.frameNumber);
  const extended =
    dd.structure !== undefined || dd.activeDecodeTargetsBitmask !== undefined || dd.customDtis !== undefined ||
    dd.customFdiffs !== undefined || dd.customChainFdiffs !== undefined;
  if (!extended) return w.finish();
  w.f(1, dd.structure ? 1 : 0);
  w.f(1, dd.activeDecodeTargetsBitmask !== undefined ? 1 : 0);
  w.f(1, dd.customDtis ? 1 : 0);
  w.f(1, dd.customFdiffs ? 1 : 0);
  w.f(1, dd.customChainFdiffs ? 1 : 0);
  if (dd.structure) writeStructure(w, dd.structure);
  const s = dd.structure ?? known;
  if ((dd.activeDecodeTargetsBitmask !== undefined || dd.customDtis || dd.customChainFdiffs) && !s) {
    throw new Error('dependency descriptor custom DTIs/chains or bitmask need a structure (attached or known)');
  }
  if (dd.activeDecodeTargetsBitmask !== undefined) {
    check('activeDecodeTargetsBitmask', dd.activeDecodeTargetsBitmask, 0, 2 ** s!.decodeTargetCount - 1);
    w.f(s!.decodeTargetCount, dd.activeDecodeTargetsBitmask);
  }
  if (dd.customDtis) {
    if (dd.customDtis.length !== s!.decodeTargetCount) throw new Error(`dependency descriptor needs ${s!.decodeTargetCount} custom DTIs, got ${dd.customDtis.length}`);
    for (const d of dd.customDtis) {
      check('DTI', d, 0, 3);
      w.f(2, d);
    }
  }
  if (dd.customFdiffs) {
    for (const fd of dd.customFdiffs) {
      check('frame fdiff', fd, 1, 4096);
      const size = fd - 1 < 16 ? 1 : fd - 1 < 256 ? 2 : 3;
      w.f(2, size);
      w.f(4 * size, fd - 1);
    }
    w.f(2, 0);
  }
  if (dd.customChainFdiffs) {
    if (dd.customChainFdiffs.length !== s!.chainCount) throw new Error(`dependency descriptor needs ${s!.chainCount} chain fdiffs, got ${dd.customChainFdiffs.length}`);
    for (const c of dd.customChainFdiffs) {
      check('frame chain fdiff', c, 0, 255);
      w.f(8, c);
    }
  }
  // 24 mandatory bits + 5 flags always make at least 4 bytes, so a reader sees the extended form.
  return w.finish();
}
