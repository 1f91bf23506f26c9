/**
 * SASLprep (RFC 4013, a profile of stringprep RFC 3454) for STUN long-term
 * passwords (RFC 5389 §15.4). RFC 8489 moved to OpaqueString (RFC 8265), which
 * is identical on ASCII; the RFC 5769 §2.4 vector exercises SASLprep's
 * "mapped to nothing" table (U+00AD) and NFKC (U+00AA → "a"), so we implement
 * SASLprep's mapping, normalization and prohibited-output steps.
 * Known gap: the bidirectional-text check (RFC 3454 §6) is not applied.
 */

// RFC 3454 table B.1: commonly mapped to nothing.
const MAPPED_TO_NOTHING = new Set([
  0x00ad, 0x034f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200b, 0x200c, 0x200d, 0x2060, 0xfe00, 0xfe01, 0xfe02, 0xfe03,
  0xfe04, 0xfe05, 0xfe06, 0xfe07, 0xfe08, 0xfe09, 0xfe0a, 0xfe0b, 0xfe0c, 0xfe0d, 0xfe0e, 0xfe0f, 0xfeff,
]);

// RFC 3454 table C.1.2: non-ASCII space characters, mapped to U+0020 by RFC 4013 §2.1.
const NON_ASCII_SPACE = new Set([
  0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x200b,
  0x202f, 0x205f, 0x3000,
]);

/** RFC 4013 §2.3 prohibited output (tables C.2–C.9, abbreviated to ranges). */
function isProhibited(cp: number): boolean {
  return (
    cp < 0x20 || cp === 0x7f || // C.2.1 ASCII control
    (cp >= 0x80 && cp <= 0x9f) || // C.2.2 non-ASCII control
    cp === 0x06dd || cp === 0x070f || cp === 0x180e || (cp >= 0x200c && cp <= 0x200d) || (cp >= 0x2028 && cp <= 0x2029) ||
    (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206a && cp <= 0x206f) || cp === 0xfeff || (cp >= 0xfff9 && cp <= 0xfffc) ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd) || // C.3 private use
    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe || // C.4 non-characters
    (cp >= 0xd800 && cp <= 0xdfff) || // C.5 surrogates
    (cp >= 0xfff9 && cp <= 0xfffd) || // C.6 inappropriate for plain text
    (cp >= 0x2ff0 && cp <= 0x2ffb) || // C.7 ideographic description
    (cp >= 0x0340 && cp <= 0x0341) || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x206a && cp <= 0x206f) || // C.8
    cp === 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f) // C.9 tagging
  );
}

/** Prepares a password per SASLprep; throws naming the offending code point. */
export function saslprep(input: string): string {
  let mapped = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (MAPPED_TO_NOTHING.has(cp)) continue;
    mapped += NON_ASCII_SPACE.has(cp) ? ' ' : ch;
  }
  const normalized = mapped.normalize('NFKC');
  for (const ch of normalized) {
    const cp = ch.codePointAt(0)!;
    if (isProhibited(cp)) throw new RangeError(`SASLprep: prohibited code point U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return normalized;
}
