/** RFC 3550 §4: NTP timestamps count seconds since 1900-01-01; Unix time since 1970. */
const NTP_UNIX_OFFSET_S = 2208988800;

/** 64-bit NTP timestamp for a wall-clock time in ms since the Unix epoch. */
export function ntpFromUnixMs(ms: number): bigint {
  const secs = Math.floor(ms / 1000);
  const frac = Math.floor(((ms - secs * 1000) / 1000) * 0x100000000);
  return (BigInt(secs + NTP_UNIX_OFFSET_S) << 32n) | BigInt(frac);
}

/** The middle 32 bits of an NTP timestamp (RFC 3550 §6.4.1 LSR): 16.16 fixed-point seconds. */
export function ntpMiddle32(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** Middle 32 bits of the NTP time for a Unix ms time, without BigInt (hot enough to matter in RTT). */
export function ntpMiddleFromUnixMs(ms: number): number {
  const s = ms / 1000 + NTP_UNIX_OFFSET_S;
  return Math.floor(s * 65536) % 0x100000000;
}

/** Inverse of ntpFromUnixMs: Unix ms for a 64-bit NTP timestamp (32.32 fixed point since 1900). */
export function unixMsFromNtp(ntp: bigint): number {
  const secs = Number(ntp >> 32n) - NTP_UNIX_OFFSET_S;
  const frac = Number(ntp & 0xffffffffn) / 0x100000000;
  return (secs + frac) * 1000;
}
