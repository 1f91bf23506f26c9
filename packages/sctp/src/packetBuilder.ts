import { chunkLength, writeChunk } from './chunks/chunk.js';
import type { Chunk } from './chunks/types.js';
import { sctpChecksum } from './crc32c.js';
import { COMMON_HEADER_LENGTH } from './packet.js';

/**
 * Assembles one outgoing packet at a time straight into its final buffer
 * (RFC 9260 §6.10 bundling): chunks are appended while they fit the MTU,
 * then the common header and checksum are written. One allocation per
 * packet (none when the buffer may be reused), no per-packet closures.
 */
export class PacketBuilder {
  buf: Buffer | undefined;
  off = COMMON_HEADER_LENGTH;

  /** Size of the buffers allocated: the largest MTU ever set. */
  private capacity: number;

  /**
   * @param reuse build every packet in the same buffer: only when the consumer of finish()'s packet
   *   is done with it before the next packet is started (SctpAssociationOptions.sendConsumesPacket)
   */
  constructor(
    private mtu: number,
    private readonly reuse = false,
  ) {
    this.capacity = mtu;
  }

  /**
   * A new packet size (RFC 8899 PLPMTUD changed the PLPMTU). A buffer too small for it is
   * replaced (DATA is written straight into it up to the MTU).
   */
  setMtu(mtu: number): void {
    this.mtu = mtu;
    // Buffers stay as large as the largest MTU used: a DATA chunk made at that size may still be
    // retransmitted alone after the PLPMTU shrank (see Sender.nextChunk).
    if (mtu <= this.capacity) return;
    this.capacity = mtu;
    const buf = this.buf;
    if (buf === undefined) return;
    if (this.empty) this.buf = undefined;
    else {
      this.buf = Buffer.allocUnsafe(mtu);
      buf.copy(this.buf, 0, 0, this.off);
    }
  }

  get empty(): boolean {
    return this.off === COMMON_HEADER_LENGTH;
  }

  get room(): number {
    return this.mtu - this.off;
  }

  /** The buffer to write DATA into directly (allocated on first use). */
  ensure(): Buffer {
    return (this.buf ??= Buffer.allocUnsafe(this.capacity));
  }

  /**
   * Appends a chunk if it fits; a chunk larger than the MTU is still sent
   * alone in an empty packet (an INIT ACK with a big cookie, say).
   */
  put(chunk: Chunk): boolean {
    const len = chunkLength(chunk);
    if (this.off + len > this.mtu && !this.empty) return false;
    let buf = this.ensure();
    if (this.off + len > buf.length) {
      const bigger = Buffer.allocUnsafe(this.off + len);
      buf.copy(bigger, 0, 0, this.off);
      this.buf = buf = bigger;
    }
    this.off = writeChunk(chunk, buf, this.off);
    return true;
  }

  /**
   * Writes the common header and checksum; returns the packet and starts a new one.
   * `zeroChecksum`: leave the checksum zero (RFC 9653, both sides announced it).
   */
  finish(sourcePort: number, destinationPort: number, vtag: number, zeroChecksum = false): Buffer {
    const packet = this.ensure().subarray(0, this.off);
    packet.writeUInt16BE(sourcePort, 0);
    packet.writeUInt16BE(destinationPort, 2);
    packet.writeUInt32BE(vtag >>> 0, 4);
    packet.writeUInt32LE(0, 8);
    if (!zeroChecksum) packet.writeUInt32LE(sctpChecksum(packet), 8);
    // Without reuse the packet keeps its buffer and the next one gets a new allocation.
    if (!this.reuse) this.buf = undefined;
    this.off = COMMON_HEADER_LENGTH;
    return packet;
  }
}
