/**
 * Black H.264 pictures (ITU-T H.264) without an encoder, CAVLC only (so valid in Constrained
 * Baseline, Baseline, Main and High):
 *
 * - An IDR access unit: SPS + PPS + one I slice. Macroblock 0 is I_PCM (§7.3.5: raw samples
 *   Y=luma, U=V=128); every other macroblock is I_16x16 with DC prediction (mb_type 3,
 *   I_16x16_2_0_0: no coded luma AC or chroma) and a zero Intra16x16DC block. DC prediction
 *   (§8.3.3.3, §8.3.4.1-3) averages the available reconstructed neighbours, which are all
 *   black, so every sample is exact; no residual is needed beyond macroblock 0.
 * - P pictures that are one run of P_Skip macroblocks (§7.3.4 mb_skip_run = PicSizeInMbs):
 *   with no coded motion every predicted motion vector is 0, so each is a copy of the IDR.
 * - Deblocking is disabled (disable_deblocking_filter_idc = 1), picture order count type 2
 *   (output order = decoding order), one reference frame, frame_num modulo 16.
 * - The parameter sets use seq_parameter_set_id 1 and pic_parameter_set_id 1, so a decoder
 *   keeps the source encoder's sets (id 0 for every encoder we know) across a black period.
 * - Sizes that are not multiples of 16 are cropped (frame_cropping, §7.4.2.1.1); 4:2:0 crops in
 *   steps of 2, so an odd width or height is rounded up to the next even value.
 */
import { BitWriter, h264NalUnit } from '../bitWriter.js';

const SPS_ID = 1;
const PPS_ID = 1;
const LOG2_MAX_FRAME_NUM = 4;
const NAL_SLICE = 1;
const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const START = Buffer.from([0, 0, 0, 1]);
/** profile_idc values whose SPS carries chroma_format_idc and bit depths (§7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** The largest picture we write: 8192x8192 (far above level 6.2's frame size). */
export const H264_BLACK_MAX_DIMENSION = 8192;

export interface H264BlackFrameOptions {
  width: number;
  height: number;
  /** RFC 6184 profile-level-id (6 hex digits: profile_idc, constraint flags, level_idc); default '42e01f'. */
  profileLevelId?: string;
  /** Luma of every sample, 0..255; default 0 (full-range black, as browsers send). Chroma is 128. */
  luma?: number;
}

interface Geometry { mbWidth: number; mbHeight: number; cropRight: number; cropBottom: number }

function geometry(width: number, height: number): Geometry {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > H264_BLACK_MAX_DIMENSION) {
      throw new Error(`H264BlackFrames: ${name} ${v} is not an integer in 1..${H264_BLACK_MAX_DIMENSION}`);
    }
  }
  const mbWidth = Math.ceil(width / 16);
  const mbHeight = Math.ceil(height / 16);
  // CropUnitX = CropUnitY = 2 for 4:2:0 frames (§7.4.2.1.1, Table 6-1).
  return { mbWidth, mbHeight, cropRight: Math.floor((mbWidth * 16 - width) / 2), cropBottom: Math.floor((mbHeight * 16 - height) / 2) };
}

function parseProfileLevelId(pli: string): { profileIdc: number; constraints: number; levelIdc: number } {
  if (!/^[0-9a-fA-F]{6}$/.test(pli)) throw new Error(`H264BlackFrames: profile-level-id '${pli}' is not 6 hex digits`);
  const v = parseInt(pli, 16);
  return { profileIdc: v >> 16, constraints: (v >> 8) & 0xff, levelIdc: v & 0xff };
}

/** §7.3.2.1.1 seq_parameter_set_rbsp. */
function sps(g: Geometry, pli: string): Buffer {
  const { profileIdc, constraints, levelIdc } = parseProfileLevelId(pli);
  const w = new BitWriter();
  w.u(8, profileIdc).u(8, constraints).u(8, levelIdc).ue(SPS_ID);
  if (HIGH_PROFILES.has(profileIdc)) {
    w.ue(1); // chroma_format_idc 4:2:0
    w.ue(0).ue(0); // bit_depth_luma_minus8, bit_depth_chroma_minus8
    w.u(1, 0); // qpprime_y_zero_transform_bypass_flag
    w.u(1, 0); // seq_scaling_matrix_present_flag
  }
  w.ue(LOG2_MAX_FRAME_NUM - 4);
  w.ue(2); // pic_order_cnt_type 2: output order is decoding order
  w.ue(1); // max_num_ref_frames
  w.u(1, 0); // gaps_in_frame_num_value_allowed_flag
  w.ue(g.mbWidth - 1).ue(g.mbHeight - 1);
  w.u(1, 1); // frame_mbs_only_flag
  w.u(1, 1); // direct_8x8_inference_flag
  const crop = g.cropRight > 0 || g.cropBottom > 0;
  w.u(1, crop ? 1 : 0);
  if (crop) w.ue(0).ue(g.cropRight).ue(0).ue(g.cropBottom);
  w.u(1, 0); // vui_parameters_present_flag
  return w.trailingBits().finish();
}

/** §7.3.2.2 pic_parameter_set_rbsp: CAVLC, one slice group, deblocking control present. */
function pps(): Buffer {
  const w = new BitWriter();
  w.ue(PPS_ID).ue(SPS_ID);
  w.u(1, 0); // entropy_coding_mode_flag: CAVLC
  w.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
  w.ue(0); // num_slice_groups_minus1
  w.ue(0).ue(0); // num_ref_idx_l0/l1_default_active_minus1
  w.u(1, 0).u(2, 0); // weighted_pred_flag, weighted_bipred_idc
  w.se(0).se(0).se(0); // pic_init_qp_minus26, pic_init_qs_minus26, chroma_qp_index_offset
  w.u(1, 1); // deblocking_filter_control_present_flag
  w.u(1, 0); // constrained_intra_pred_flag
  w.u(1, 0); // redundant_pic_cnt_present_flag
  return w.trailingBits().finish();
}

/** §7.3.3 slice_header for our SPS/PPS: I (IDR) or P, deblocking disabled. */
function sliceHeader(w: BitWriter, idr: boolean, frameNum: number, idrPicId: number): void {
  w.ue(0); // first_mb_in_slice
  w.ue(idr ? 7 : 5); // slice_type: I or P, all slices of the picture alike
  w.ue(PPS_ID);
  w.u(LOG2_MAX_FRAME_NUM, frameNum);
  if (idr) w.ue(idrPicId);
  if (!idr) {
    w.u(1, 0); // num_ref_idx_active_override_flag
    w.u(1, 0); // ref_pic_list_modification_flag_l0
  }
  // dec_ref_pic_marking (nal_ref_idc ≠ 0): IDR: no_output_of_prior_pics, long_term_reference;
  // otherwise adaptive_ref_pic_marking_mode_flag 0 (sliding window).
  if (idr) w.u(1, 0).u(1, 0);
  else w.u(1, 0);
  w.se(0); // slice_qp_delta
  w.ue(1); // disable_deblocking_filter_idc 1: no deblocking
}

function idrSlice(g: Geometry, luma: number, idrPicId: number): Buffer {
  const w = new BitWriter();
  sliceHeader(w, true, 0, idrPicId);
  const total = g.mbWidth * g.mbHeight;
  for (let mb = 0; mb < total; mb++) {
    if (mb === 0) {
      w.ue(25); // mb_type I_PCM
      w.alignZero(); // pcm_alignment_zero_bit
      for (let i = 0; i < 256; i++) w.u(8, luma);
      for (let i = 0; i < 128; i++) w.u(8, 128);
      continue;
    }
    const x = mb % g.mbWidth;
    const y = Math.floor(mb / g.mbWidth);
    w.ue(3); // mb_type I_16x16_2_0_0: DC prediction, no coded AC, no coded chroma
    w.ue(0); // intra_chroma_pred_mode: DC
    w.se(0); // mb_qp_delta
    // Intra16x16DCLevel coeff_token, TotalCoeff 0 (§9.2.1, Table 9-5). nC is the neighbours'
    // total coefficients: the I_PCM macroblock counts 16, every other one 0 (its AC is not coded).
    const nA = x > 0 ? (mb - 1 === 0 ? 16 : 0) : undefined;
    const nB = y > 0 ? (mb - g.mbWidth === 0 ? 16 : 0) : undefined;
    const nC = nA !== undefined && nB !== undefined ? (nA + nB + 1) >> 1 : nA ?? nB ?? 0;
    if (nC < 2) w.u(1, 1);
    else if (nC < 4) w.u(2, 3);
    else if (nC < 8) w.u(4, 15);
    else w.u(6, 3);
  }
  return w.trailingBits().finish();
}

function skipSlice(g: Geometry, frameNum: number): Buffer {
  const w = new BitWriter();
  sliceHeader(w, false, frameNum, 0);
  w.ue(g.mbWidth * g.mbHeight); // mb_skip_run: every macroblock, then no more data
  return w.trailingBits().finish();
}

const annexB = (nals: Buffer[]): Buffer => Buffer.concat(nals.flatMap((n) => [START, n]));

/**
 * A stream of black pictures: next() returns an IDR access unit first (and after reset()),
 * then P_Skip pictures. Each is an Annex B byte string.
 */
export class H264BlackFrames {
  readonly width: number;
  readonly height: number;
  private readonly g: Geometry;
  private readonly idrFrames: Buffer[];
  private frameNum = 0;
  private needIdr = true;
  private idrCount = 0;

  constructor(options: H264BlackFrameOptions) {
    const luma = options.luma ?? 0;
    if (!Number.isInteger(luma) || luma < 0 || luma > 255) throw new Error(`H264BlackFrames: luma ${luma} is not an integer in 0..255`);
    this.g = geometry(options.width, options.height);
    this.width = options.width;
    this.height = options.height;
    const pli = options.profileLevelId ?? '42e01f';
    const params = [h264NalUnit(3, NAL_SPS, sps(this.g, pli)), h264NalUnit(3, NAL_PPS, pps())];
    // Two IDRs that differ only in idr_pic_id, alternated: consecutive IDR access units must
    // carry different idr_pic_id values (§7.4.3).
    this.idrFrames = [0, 1].map((id) => annexB([...params, h264NalUnit(3, NAL_IDR, idrSlice(this.g, luma, id))]));
  }

  /** The next picture: { data (Annex B), keyframe }. */
  next(): { data: Buffer; keyframe: boolean } {
    if (this.needIdr) {
      this.needIdr = false;
      this.frameNum = 1;
      return { data: this.idrFrames[this.idrCount++ % 2]!, keyframe: true };
    }
    const data = annexB([h264NalUnit(2, NAL_SLICE, skipSlice(this.g, this.frameNum))]);
    this.frameNum = (this.frameNum + 1) % (1 << LOG2_MAX_FRAME_NUM);
    return { data, keyframe: false };
  }

  /** The next picture will be an IDR again (e.g. after a receiver asked for a key frame). */
  reset(): void {
    this.needIdr = true;
  }
}
