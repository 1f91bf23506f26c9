/**
 * The displayed picture size from an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1,
 * cropping per §7.4.2.1.1), so a sender can make black pictures of the size its source sends.
 * Network input: returns undefined on anything truncated or out of range, never throws.
 */
import { BitReader } from '../bits.js';
import { splitAnnexB } from '../h264Nal.js';

/** profile_idc values whose SPS carries chroma_format_idc, bit depths and scaling lists. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** §7.4.1: drops each emulation_prevention_three_byte (0x03 after 0x00 0x00). */
function unescapeRbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (let i = 1; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** Width and height in samples from one SPS NAL unit (with its header byte), or undefined. */
export function h264SpsSize(nal: Buffer): { width: number; height: number } | undefined {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== 7) return undefined;
  const r = new BitReader(unescapeRbsp(nal));
  const ue = (): number => {
    const v = r.ue();
    if (v === undefined) throw new RangeError('truncated');
    return v;
  };
  const u = (n: number): number => {
    const v = r.bits(n);
    if (v === undefined) throw new RangeError('truncated');
    return v;
  };
  const se = (): number => {
    const k = ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  };
  try {
    const profileIdc = u(8);
    u(16); // constraint flags, level_idc
    ue(); // seq_parameter_set_id
    let chromaFormatIdc = 1;
    if (HIGH_PROFILES.has(profileIdc)) {
      chromaFormatIdc = ue();
      if (chromaFormatIdc > 3) return undefined;
      if (chromaFormatIdc === 3) u(1); // separate_colour_plane_flag
      ue(); // bit_depth_luma_minus8
      ue(); // bit_depth_chroma_minus8
      u(1); // qpprime_y_zero_transform_bypass_flag
      if (u(1)) { // seq_scaling_matrix_present_flag: skip the scaling lists (§7.3.2.1.1.1)
        for (let i = 0; i < (chromaFormatIdc !== 3 ? 8 : 12); i++) {
          if (!u(1)) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + se() + 256) % 256;
            last = next === 0 ? last : next;
          }
        }
      }
    }
    ue(); // log2_max_frame_num_minus4
    const pocType = ue();
    if (pocType === 0) ue();
    else if (pocType === 1) {
      u(1);
      se();
      se();
      const cycle = ue();
      if (cycle > 255) return undefined;
      for (let i = 0; i < cycle; i++) se();
    } else if (pocType !== 2) return undefined;
    ue(); // max_num_ref_frames
    u(1); // gaps_in_frame_num_value_allowed_flag
    const mbWidth = ue() + 1;
    const mapUnitsHeight = ue() + 1;
    const frameMbsOnly = u(1);
    if (!frameMbsOnly) u(1); // mb_adaptive_frame_field_flag
    u(1); // direct_8x8_inference_flag
    let width = mbWidth * 16;
    let height = (2 - frameMbsOnly) * mapUnitsHeight * 16;
    if (u(1)) { // frame_cropping_flag; Table 6-1 SubWidthC/SubHeightC (1 for monochrome and 4:4:4)
      const subW = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
      const subH = chromaFormatIdc === 1 ? 2 : 1;
      const left = ue();
      const right = ue();
      const top = ue();
      const bottom = ue();
      width -= subW * (left + right);
      height -= subH * (2 - frameMbsOnly) * (top + bottom);
    }
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** The size from the first SPS in an Annex B access unit, or undefined when it has none. */
export function h264AccessUnitSize(accessUnit: Buffer): { width: number; height: number } | undefined {
  for (const nal of splitAnnexB(accessUnit)) {
    if (nal.length > 0 && (nal[0]! & 0x1f) === 7) return h264SpsSize(nal);
  }
  return undefined;
}
