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
 * Frames are cached per (width, height, luma): a 1280x720 key frame is ~1.6 KB of mode bits.
 *
 * vp8BlackInterframe() repeats the previous picture: every macroblock is inter, references the
 * last frame with mv_zero (§16.3) and is skipped, so a decoder that shows a black key frame keeps
 * showing black. 1280x720 is ~80 bytes.
 */
import { BoolEncoder } from '../boolEncoder.js';
import {
  CAT6_BASE, COEFF_TREE, COEFF_UPDATE_PROBS, DCT_CAT6, DC_PRED, DC_Q0, KF_UV_MODE_PROB, KF_YMODE_PROB,
  KF_YMODE_TREE, MODE_CONTEXTS_ZERO, MV_REF_TREE, MV_UPDATE_PROBS, MV_ZERO, PCAT6, UV_BAND0_CTX0_EOB, UV_MODE_TREE,
  Y2_BAND0_CTX0, Y2_BAND1_CTX2_EOB, Y_BAND1_CTX0_EOB,
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
  writeSharedHeader(h);
  h.literal(1, 1); // refresh_entropy_probs
  writeNoTokenProbUpdates(h);
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
  return assemble(true, first, tokens, width, height);
}

/** The header fields key and inter frames share (§19.2), from segmentation to quant_indices. */
function writeSharedHeader(h: BoolEncoder): void {
  h.literal(1, 0); // segmentation_enabled
  h.literal(1, 0); // filter_type
  h.literal(6, 0); // loop_filter_level 0: no loop filter
  h.literal(3, 0); // sharpness_level
  h.literal(1, 0); // loop_filter_adj_enable
  h.literal(2, 0); // log2_nbr_of_dct_partitions: one token partition
  h.literal(7, 0); // y_ac_qi: quantizer index 0 (Y2 DC step 2 x dc_qlookup[0] = 8)
  for (let i = 0; i < 5; i++) h.literal(1, 0); // no y_dc/y2_dc/y2_ac/uv_dc/uv_ac deltas
}

/** §13.4: one "not updated" flag per token probability, each at its own update probability. */
function writeNoTokenProbUpdates(h: BoolEncoder): void {
  for (const type of COEFF_UPDATE_PROBS) for (const band of type) for (const ctx of band) for (const p of ctx) h.bool(p, 0);
}

/**
 * §9.1 uncompressed chunk: frame tag (key frame bit, version 0, shown, first partition size);
 * key frames add the start code and the 14-bit width and height with no upscaling.
 */
function assemble(key: boolean, first: Buffer, tokens: Buffer, width: number, height: number): Buffer {
  const head = key ? 10 : 3;
  const out = Buffer.alloc(head + first.length + tokens.length);
  const tag = (key ? 0 : 1) | (0 << 1) | (1 << 4) | (first.length << 5);
  out[0] = tag & 0xff;
  out[1] = (tag >> 8) & 0xff;
  out[2] = (tag >> 16) & 0xff;
  if (key) {
    out[3] = 0x9d;
    out[4] = 0x01;
    out[5] = 0x2a;
    out.writeUInt16LE(width, 6);
    out.writeUInt16LE(height, 8);
  }
  first.copy(out, head);
  tokens.copy(out, head + first.length);
  return out;
}

const interCache = new Map<string, Buffer>();

/**
 * A VP8 inter frame of width x height that repeats the last frame: every macroblock inter,
 * last-frame reference, mv_zero, skipped. Send it only after a key frame of the same size.
 */
export function vp8BlackInterframe(width: number, height: number): Buffer {
  checkDimension('width', width);
  checkDimension('height', height);
  const key = `${width}x${height}`;
  let frame = interCache.get(key);
  if (!frame) {
    frame = writeInterframe(width, height);
    if (interCache.size >= CACHE_LIMIT) interCache.delete(interCache.keys().next().value!);
    interCache.set(key, frame);
  }
  return frame;
}

function writeInterframe(width: number, height: number): Buffer {
  const mbCols = Math.ceil(width / 16);
  const mbRows = Math.ceil(height / 16);
  const h = new BoolEncoder();
  writeSharedHeader(h);
  h.literal(1, 0); // refresh_golden_frame
  h.literal(1, 0); // refresh_alternate_frame
  h.literal(2, 0); // copy_buffer_to_golden: none
  h.literal(2, 0); // copy_buffer_to_alternate: none
  h.literal(1, 0); // sign_bias_golden
  h.literal(1, 0); // sign_bias_alternate
  h.literal(1, 1); // refresh_entropy_probs
  h.literal(1, 1); // refresh_last
  writeNoTokenProbUpdates(h);
  h.literal(1, 1); // mb_no_coeff_skip
  const probSkipFalse = 1; // every macroblock is skipped
  h.literal(8, probSkipFalse);
  const probIntra = 1; // every macroblock is inter (is_inter_mb = 1)
  h.literal(8, probIntra);
  const probLast = 255; // every macroblock references the last frame (mb_ref_frame_sel1 = 0)
  h.literal(8, probLast);
  h.literal(8, 128); // prob_gf (unused)
  h.literal(1, 0); // intra_16x16_prob_update_flag
  h.literal(1, 0); // intra_chroma_prob_update_flag
  for (const comp of MV_UPDATE_PROBS) for (const p of comp) h.bool(p, 0); // §17.2: no MV probability updates
  for (let y = 0; y < mbRows; y++) {
    for (let x = 0; x < mbCols; x++) {
      h.bool(probSkipFalse, 1); // mb_skip_coeff
      h.bool(probIntra, 1); // is_inter_mb
      h.bool(probLast, 0); // mb_ref_frame_sel1: the last frame
      // §16.3 find_near_mvs: every inter neighbour with a zero vector adds its weight to cnt[0]
      // (above 2, left 2, above-left 1); neighbours outside the frame count as intra (nothing).
      const cnt0 = (y > 0 ? 2 : 0) + (x > 0 ? 2 : 0) + (x > 0 && y > 0 ? 1 : 0);
      h.tree(MV_REF_TREE, [MODE_CONTEXTS_ZERO[cnt0]!], MV_ZERO);
    }
  }
  const first = h.finish();
  const tokens = new BoolEncoder().finish(); // no macroblock has tokens
  return assemble(false, first, tokens, width, height);
}

/** One DC token for Y2 at band 0, context 0 (§13.2): the category and extra bits, then the sign. */
function writeY2Dc(t: BoolEncoder, level: number): void {
  const magnitude = Math.abs(level);
  t.tree(COEFF_TREE, Y2_BAND0_CTX0, DCT_CAT6);
  const extra = magnitude - CAT6_BASE;
  for (let i = 0; i < PCAT6.length; i++) t.bool(PCAT6[i]!, (extra >> (PCAT6.length - 1 - i)) & 1 ? 1 : 0);
  t.bool(128, level < 0 ? 1 : 0); // sign
}
