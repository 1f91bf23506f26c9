/**
 * A VP8 key frame (RFC 6386) whose every pixel decodes to black (Y=0, U=V=128 by default, the
 * black a browser sends for a disabled track), written without a general encoder:
 *
 * - Every macroblock uses 16x16 DC_PRED for luma and DC_PRED for chroma (§12.2). The first
 *   macroblock has no neighbours, so it predicts 128 for all three planes (§12.2: "128" when
 *   neither the row above nor the column to the left is inside the frame).
 * - Chroma is 128 already, so only the first macroblock's luma needs a residual: one Y2 (second
 *   order) DC coefficient. With only Y2 DC = c (dequantized), the inverse WHT gives every
 *   subblock the DC (c+3)>>3 (§14.3) and the DC-only IDCT adds ((dc+4)>>3) to every pixel
 *   (§14.4). With the Y2 DC step 8 (quantizer index 0), level L = 8d-4 adds exactly d.
 * - Every other macroblock predicts from reconstructed black neighbours (left only on the top
 *   row, above only in the left column, both elsewhere: all averages are the black value) and
 *   is coded skipped (mb_skip_coeff = 1, §19.3), so it needs no tokens.
 * - No loop filter (level 0), one token partition, default token probabilities (§13.5).
 *
 * Frames are cached per (width, height, luma): a 1280x720 frame is ~2 KB of mode bits.
 */
import { BoolEncoder } from '../boolEncoder.js';
import {
  CAT6_BASE, COEFF_TREE, COEFF_UPDATE_PROBS, DCT_CAT6, DC_PRED, DC_Q0, KF_UV_MODE_PROB, KF_YMODE_PROB,
  KF_YMODE_TREE, PCAT6, UV_BAND0_CTX0_EOB, UV_MODE_TREE, Y2_BAND0_CTX0, Y2_BAND1_CTX2_EOB, Y_BAND1_CTX0_EOB,
} from './blackFrameTables.js';

/** The largest dimension a VP8 key frame header can carry (14 bits, RFC 6386 §9.1). */
export const VP8_MAX_DIMENSION = 16383;

export interface Vp8BlackFrameOptions {
  /** Luma of every pixel, 0..119; default 0 (full-range black, as browsers send). Chroma is 128. */
  luma?: number;
}

const MAX_LUMA = 119;
const cache = new Map<string, Buffer>();
const CACHE_LIMIT = 16;

/** A VP8 key frame of width x height, every pixel Y=luma (default 0), U=V=128. Cached. */
export function vp8BlackKeyframe(width: number, height: number, options: Vp8BlackFrameOptions = {}): Buffer {
  const luma = options.luma ?? 0;
  checkDimension('width', width);
  checkDimension('height', height);
  // Dark values only: their Y2 level (8*(luma-128)-4, at most -75) is a dct_cat6 token.
  if (!Number.isInteger(luma) || luma < 0 || luma > MAX_LUMA) throw new Error(`vp8BlackKeyframe: luma ${luma} is not an integer in 0..${MAX_LUMA}`);
  const key = `${width}x${height}/${luma}`;
  let frame = cache.get(key);
  if (!frame) {
    frame = writeKeyframe(width, height, luma);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, frame);
  }
  return frame;
}

/** Width and height from a VP8 key frame's uncompressed header (RFC 6386 §9.1), or undefined. */
export function vp8KeyframeSize(frame: Uint8Array): { width: number; height: number } | undefined {
  if (frame.length < 10 || (frame[0]! & 1) !== 0) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  if (width === 0 || height === 0) return undefined;
  return { width, height };
}

function checkDimension(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > VP8_MAX_DIMENSION) {
    throw new Error(`vp8BlackKeyframe: ${name} ${v} is not an integer in 1..${VP8_MAX_DIMENSION}`);
  }
}

function writeKeyframe(width: number, height: number, luma: number): Buffer {
  const mbCols = Math.ceil(width / 16);
  const mbRows = Math.ceil(height / 16);

  // First partition: frame header (§19.2) then per-macroblock modes (§19.3).
  const h = new BoolEncoder();
  h.literal(1, 0); // color_space: YUV
  h.literal(1, 0); // clamping_type: the decoder clamps
  h.literal(1, 0); // segmentation_enabled
  h.literal(1, 0); // filter_type
  h.literal(6, 0); // loop_filter_level 0: no loop filter
  h.literal(3, 0); // sharpness_level
  h.literal(1, 0); // loop_filter_adj_enable
  h.literal(2, 0); // log2_nbr_of_dct_partitions: one token partition
  h.literal(7, 0); // y_ac_qi: quantizer index 0 (Y2 DC step 2 x dc_qlookup[0] = 8)
  for (let i = 0; i < 5; i++) h.literal(1, 0); // no y_dc/y2_dc/y2_ac/uv_dc/uv_ac deltas
  h.literal(1, 1); // refresh_entropy_probs
  // §13.4: one "not updated" flag per token probability, each at its own update probability.
  for (const type of COEFF_UPDATE_PROBS) for (const band of type) for (const ctx of band) for (const p of ctx) h.bool(p, 0);
  h.literal(1, 1); // mb_no_coeff_skip: macroblocks carry a skip flag
  const probSkipFalse = 1; // only the first macroblock is not skipped
  h.literal(8, probSkipFalse);
  for (let mb = 0; mb < mbCols * mbRows; mb++) {
    h.bool(probSkipFalse, mb === 0 ? 0 : 1); // mb_skip_coeff
    h.tree(KF_YMODE_TREE, KF_YMODE_PROB, DC_PRED);
    h.tree(UV_MODE_TREE, KF_UV_MODE_PROB, DC_PRED);
  }
  const first = h.finish();

  // Token partition (§13): the first macroblock's 25 blocks; all others are skipped.
  const t = new BoolEncoder();
  const delta = luma - 128;
  // Y2 DC: level 8*delta - 4 dequantizes to c = 8*level; (c+3)>>3 = level; (level+4)>>3 = delta.
  const level = 2 * DC_Q0 * delta - 4;
  writeY2Dc(t, level);
  t.bool(Y2_BAND1_CTX2_EOB, 0); // EOB at position 1 (context 2: the previous token was > 1)
  for (let i = 0; i < 16; i++) t.bool(Y_BAND1_CTX0_EOB, 0); // 16 Y blocks (from position 1): EOB
  for (let i = 0; i < 8; i++) t.bool(UV_BAND0_CTX0_EOB, 0); // 4 U + 4 V blocks: EOB
  const tokens = t.finish();

  // §9.1 uncompressed chunk: frame tag (key frame, version 0, shown, first partition size),
  // start code, 14-bit width and height with no upscaling.
  const out = Buffer.alloc(10 + first.length + tokens.length);
  const tag = 0 | (0 << 1) | (1 << 4) | (first.length << 5);
  out[0] = tag & 0xff;
  out[1] = (tag >> 8) & 0xff;
  out[2] = (tag >> 16) & 0xff;
  out[3] = 0x9d;
  out[4] = 0x01;
  out[5] = 0x2a;
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  first.copy(out, 10);
  tokens.copy(out, 10 + first.length);
  return out;
}

/** One DC token for Y2 at band 0, context 0 (§13.2): the category and extra bits, then the sign. */
function writeY2Dc(t: BoolEncoder, level: number): void {
  const magnitude = Math.abs(level);
  t.tree(COEFF_TREE, Y2_BAND0_CTX0, DCT_CAT6);
  const extra = magnitude - CAT6_BASE;
  for (let i = 0; i < PCAT6.length; i++) t.bool(PCAT6[i]!, (extra >> (PCAT6.length - 1 - i)) & 1 ? 1 : 0);
  t.bool(128, level < 0 ? 1 : 0); // sign
}
