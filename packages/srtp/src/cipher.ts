/**
 * The per-profile transform, separated from the per-SSRC bookkeeping in the contexts. One
 * implementation per family: AES-CM + HMAC-SHA1 (RFC 3711) and AES-GCM (RFC 7714).
 * Contexts give it the already-estimated ROC/index; it only does cryptography and layout.
 */
export interface SrtpCipher {
  /** Bytes the SRTP trailer adds to an RTP packet. */
  readonly rtpTrailerLength: number;
  /** Bytes the SRTCP trailer adds (E‖index plus tag). */
  readonly rtcpTrailerLength: number;
  /** Plain RTP → header ‖ encrypted payload ‖ tag. */
  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer;
  /** SRTP → plain RTP, or undefined when authentication fails. */
  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | undefined;
  /** Plain compound RTCP → SRTCP with E flag and 31-bit index. */
  protectRtcp(packet: Buffer, ssrc: number, index: number, encrypt: boolean): Buffer;
  /** Offset of the 4-byte E‖index word in an SRTCP packet of this length. */
  rtcpIndexOffset(length: number): number;
  /** SRTCP → plain RTCP, or undefined when authentication fails. */
  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | undefined;
}

/** SRTCP E flag (RFC 3711 §3.4): top bit of the word that carries the 31-bit index. */
export const SRTCP_E_FLAG = 0x80000000;
