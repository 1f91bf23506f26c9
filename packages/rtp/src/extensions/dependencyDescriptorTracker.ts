import {
  type DdFrameInfo,
  type DdStructure,
  type DependencyDescriptor,
  parseDependencyDescriptor,
  resolveDependencyDescriptorFrame,
} from './dependencyDescriptor.js';

export interface DdReadResult {
  descriptor: DependencyDescriptor;
  /** The frame resolved against the current structure; undefined when its template id is not in it (A.4.2 note: a lost new structure). */
  frame: DdFrameInfo | undefined;
  /** Active decode targets after this packet (bit i = decode target i). */
  activeDecodeTargetsBitmask: number;
}

/**
 * Per-stream state a receiver or SFU keeps for the AV1 dependency descriptor
 * (AV1 RTP spec A.4): the latest template dependency structure and the active
 * decode targets, so that 3-byte descriptors and custom fields can be read.
 */
export class DependencyDescriptorTracker {
  #structure: DdStructure | undefined;
  #active = 0;

  get structure(): DdStructure | undefined {
    return this.#structure;
  }

  /**
   * Reads one DD value. Throws ParseError when it is malformed or needs a
   * structure that has not been received yet (the caller drops the packet).
   */
  read(data: Buffer): DdReadResult {
    const descriptor = parseDependencyDescriptor(data, this.#structure);
    if (descriptor.structure) {
      this.#structure = descriptor.structure;
      // A.4.1 extended_descriptor_fields: a new structure makes every decode target active
      // unless the bitmask follows.
      this.#active = 2 ** descriptor.structure.decodeTargetCount - 1;
    }
    if (descriptor.activeDecodeTargetsBitmask !== undefined) this.#active = descriptor.activeDecodeTargetsBitmask;
    const s = this.#structure;
    if (!s) {
      // A 3-byte descriptor before any structure: its fields are valid, but nothing can be resolved.
      return { descriptor, frame: undefined, activeDecodeTargetsBitmask: 0 };
    }
    return { descriptor, frame: resolveDependencyDescriptorFrame(descriptor, s), activeDecodeTargetsBitmask: this.#active };
  }

  /** Like read, but returns undefined instead of throwing. */
  tryRead(data: Buffer): DdReadResult | undefined {
    try {
      return this.read(data);
    } catch {
      return undefined;
    }
  }
}
