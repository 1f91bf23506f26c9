/**
 * RFC 6386 constants the black key frame writer needs (facts from the RFC's tables).
 */

/** A row of 11 probabilities: the given leading values, then 255s. */
function r(...lead: number[]): number[] {
  return [...lead, ...new Array<number>(11 - lead.length).fill(255)];
}
const ALL255 = [r(), r(), r()];

/**
 * RFC 6386 §13.4 coeff_update_probs[4][8][3][11]: the probability that each token probability
 * is updated. A key frame must code one flag per entry (we code "not updated" for all 1056).
 */
export const COEFF_UPDATE_PROBS: readonly (readonly (readonly (readonly number[])[])[])[] = [
  [ // block type 0: Y beginning at coefficient 1
    ALL255,
    [r(176, 246), r(223, 241, 252), r(249, 253, 253)],
    [r(255, 244, 252), r(234, 254, 254), r(253)],
    [r(255, 246, 254), r(239, 253, 254), r(254, 255, 254)],
    [r(255, 248, 254), r(251, 255, 254), r()],
    [r(255, 253, 254), r(251, 254, 254), r(254, 255, 254)],
    [r(255, 254, 253, 255, 254), r(250, 255, 254, 255, 254), r(254)],
    ALL255,
  ],
  [ // block type 1: Y2
    [r(217), r(225, 252, 241, 253, 255, 255, 254), r(234, 250, 241, 250, 253, 255, 253, 254)],
    [r(255, 254), r(223, 254, 254), r(238, 253, 254, 254)],
    [r(255, 248, 254), r(249, 254), r()],
    [r(255, 253), r(247, 254), r()],
    [r(255, 253, 254), r(252), r()],
    [r(255, 254, 254), r(253), r()],
    [r(255, 254, 253), r(250), r(254)],
    ALL255,
  ],
  [ // block type 2: chroma
    [r(186, 251, 250), r(234, 251, 244, 254), r(251, 251, 243, 253, 254, 255, 254)],
    [r(255, 253, 254), r(236, 253, 254), r(251, 253, 253, 254, 254)],
    [r(255, 254, 254), r(254, 254, 254), r()],
    [r(255, 254), r(254, 254), r(254)],
    [r(), r(254), r()],
    ALL255,
    ALL255,
    ALL255,
  ],
  [ // block type 3: Y with DC (B_PRED macroblocks)
    [r(248), r(250, 254, 252, 254), r(248, 254, 249, 253)],
    [r(255, 253, 253), r(246, 253, 253), r(252, 254, 251, 254, 254)],
    [r(255, 254, 252), r(248, 254, 253), r(253, 255, 254, 254)],
    [r(255, 251, 254), r(245, 251, 254), r(253, 253, 254)],
    [r(255, 251, 253), r(252, 253, 254), r(255, 254, 255)],
    [r(255, 252, 255), r(249, 255, 254), r(255, 255, 254)],
    [r(255, 255, 253), r(250), r()],
    [r(), r(254), r()],
  ],
];

/** RFC 6386 §13.5 default_coeff_probs[1][0][0]: Y2, band 0, context 0 (the first MB's DC). */
export const Y2_BAND0_CTX0 = [198, 35, 237, 223, 193, 187, 162, 160, 145, 155, 62] as const;
/** default_coeff_probs[1][1][2][0]: Y2, band 1 (position 1), after a token > 1: the EOB branch. */
export const Y2_BAND1_CTX2_EOB = 81;
/** default_coeff_probs[0][1][0][0]: Y after Y2, band 1, context 0: the EOB branch. */
export const Y_BAND1_CTX0_EOB = 253;
/** default_coeff_probs[2][0][0][0]: chroma, band 0, context 0: the EOB branch. */
export const UV_BAND0_CTX0_EOB = 253;

/** RFC 6386 §13.2 coefficient token tree; leaves are token numbers (dct_eob = 11). */
export const DCT_EOB = 11;
export const DCT_CAT6 = 10;
export const COEFF_TREE = [-DCT_EOB, 2, -0, 4, -1, 6, 8, 12, -2, 10, -3, -4, 14, 16, -5, -6, 18, 20, -7, -8, -9, -10] as const;
/** §13.2 extra-bit probabilities of dct_cat6 (values 67..2114), MSB first. */
export const PCAT6 = [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129] as const;
export const CAT6_BASE = 67;

/** RFC 6386 §11.2 key-frame luma mode tree and fixed probabilities; DC_PRED = 0, B_PRED = 4. */
export const DC_PRED = 0;
export const KF_YMODE_TREE = [-4, 2, 4, 6, -0, -1, -2, -3] as const;
export const KF_YMODE_PROB = [145, 156, 163, 128] as const;
/** §11.2 chroma mode tree and key-frame probabilities. */
export const UV_MODE_TREE = [-0, 2, -1, 4, -2, -3] as const;
export const KF_UV_MODE_PROB = [142, 114, 183] as const;

/** §14.1 dc_qlookup[0]: the DC step of quantizer index 0; the Y2 DC step is twice it. */
export const DC_Q0 = 4;

/** RFC 6386 §17.2 mv_update_probs[2][19]: an inter frame codes one "not updated" flag per entry. */
export const MV_UPDATE_PROBS = [
  [237, 246, 253, 253, 254, 254, 254, 254, 254, 254, 254, 254, 254, 254, 250, 250, 252, 254, 254],
  [231, 243, 245, 253, 254, 254, 254, 254, 254, 254, 254, 254, 254, 254, 251, 251, 254, 254, 254],
] as const;

/** RFC 6386 §16.3 mv_ref_tree; leaves: mv_zero (the only one we write), nearest, near, new, split. */
export const MV_ZERO = 0;
export const MV_REF_TREE = [-MV_ZERO, 2, -1, 4, -2, 6, -3, -4] as const;
/** §16.3 vp8_mode_contexts[6][4], column 0: the probability of mv_zero given cnt[0] (0..5). */
export const MODE_CONTEXTS_ZERO = [7, 14, 135, 60, 159, 234] as const;
