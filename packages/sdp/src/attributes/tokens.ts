/** Small token helpers shared by the attribute parsers. */

/** A non-negative decimal integer, or undefined when `s` is anything else. */
export function toUint(s: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** Splits on single spaces exactly as SDP writes them (RFC 8866 §9: SP separated). */
export function words(s: string): string[] {
  return s.split(' ');
}

/** RFC 8866 §9 token-char (printable ASCII minus separators). */
export function isToken(s: string): boolean {
  return /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/.test(s);
}
