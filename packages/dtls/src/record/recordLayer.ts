import { ContentType, DTLS_1_2 } from '../constants.js';
import type { RecordCipher } from '../crypto/aead.js';
import { ReplayWindow } from './replayWindow.js';
import { RECORD_HEADER_LENGTH, writeRecordHeader, type DtlsRecord } from './record.js';

/** Drop reasons counted by the record layer. */
export type RecordDropReason =
  | 'replayed'
  | 'decryptFailed'
  | 'unknownEpoch'
  | 'futureEpochBuffered'
  | 'futureEpochOverflow';

/** RFC 6347 §4.1: 48-bit sequence numbers; a sender must not wrap (we re-key never, so we stop). */
const MAX_SEQUENCE = 2 ** 48 - 1;
/** Records of the next epoch that arrive before we can decrypt them (reordering around CCS). */
const MAX_FUTURE_RECORDS = 32;

/**
 * Epoch state of one DTLS connection: per-epoch write sequence numbers and ciphers, per-epoch read
 * ciphers and replay windows. Epoch 0 is the null cipher; we never renegotiate, so there is at most
 * epoch 1 besides it.
 */
export class RecordLayer {
  /** Epoch for new application data and alerts; becomes 1 once our ChangeCipherSpec is out. */
  writeEpoch = 0;
  private readonly writeSeq = new Map<number, number>([[0, 0]]);
  private readonly writeCiphers = new Map<number, RecordCipher>();
  private readonly readCiphers = new Map<number, RecordCipher>();
  private readonly replay = new Map<number, ReplayWindow>();
  private futureRecords: DtlsRecord[] = [];
  /** Cached write state of one protected epoch; `sealSeq` is authoritative while it is set. */
  private sealEpoch = -1;
  private sealCipher: RecordCipher | undefined;
  private sealSeq = 0;

  constructor(private readonly onDrop: (reason: RecordDropReason) => void) {}

  /** Writes the cached sequence number back to the map and drops the cache. */
  private syncSealCache(): void {
    if (this.sealCipher) this.writeSeq.set(this.sealEpoch, this.sealSeq);
    this.sealEpoch = -1;
    this.sealCipher = undefined;
  }

  /** Installs epoch-1 ciphers once the key block is known (RFC 5246 §6.3). */
  installKeys(epoch: number, write: RecordCipher, read: RecordCipher): DtlsRecord[] {
    this.syncSealCache();
    this.writeCiphers.set(epoch, write);
    this.writeSeq.set(epoch, 0);
    this.readCiphers.set(epoch, read);
    this.replay.set(epoch, new ReplayWindow());
    const pending = this.futureRecords;
    this.futureRecords = [];
    return pending;
  }

  /** Overhead a record of `epoch` adds on top of its plaintext. */
  overhead(epoch: number): number {
    return RECORD_HEADER_LENGTH + (this.writeCiphers.get(epoch)?.overhead ?? 0);
  }

  /** Sets the next write sequence number of epoch 0 (RFC 6347 §4.2.1: a stateless server echoes the ClientHello's). */
  setWriteSequence(epoch: number, seq: number): void {
    this.syncSealCache();
    this.writeSeq.set(epoch, seq);
  }

  /** Builds one protected record. Each call consumes a fresh sequence number (retransmissions too). */
  seal(type: number, epoch: number, plaintext: Uint8Array, sequence?: number): Buffer {
    let seq: number;
    let cipher: RecordCipher | undefined;
    if (sequence === undefined && epoch === this.sealEpoch && this.sealCipher) {
      // Hot path (every data-channel packet): the write state of the current epoch is cached
      // instead of two Map lookups and a Map.set per record.
      seq = this.sealSeq;
      if (seq >= MAX_SEQUENCE) throw new Error(`DTLS epoch ${epoch} sequence numbers exhausted`);
      this.sealSeq = seq + 1;
      return this.sealCipher.sealRecord(type, DTLS_1_2, epoch, seq, plaintext);
    }
    this.syncSealCache();
    seq = sequence ?? this.writeSeq.get(epoch) ?? 0;
    if (sequence === undefined) {
      if (seq >= MAX_SEQUENCE) throw new Error(`DTLS epoch ${epoch} sequence numbers exhausted`);
      this.writeSeq.set(epoch, seq + 1);
    }
    cipher = this.writeCiphers.get(epoch);
    if (cipher && sequence === undefined) {
      this.sealEpoch = epoch;
      this.sealCipher = cipher;
      this.sealSeq = seq + 1;
    }
    // Protected records (all application data): header and fragment written into one Buffer.
    if (cipher) return cipher.sealRecord(type, DTLS_1_2, epoch, seq, plaintext);
    return Buffer.concat([writeRecordHeader(type, DTLS_1_2, epoch, seq, plaintext.length), plaintext]);
  }

  /**
   * Decrypts a received record and applies the replay window (RFC 6347 §4.1.2.6). Returns the
   * plaintext, or undefined when the record is dropped (the reason is reported). Records of an
   * epoch we have no keys for yet are held back and handed out again by installKeys.
   */
  open(record: DtlsRecord): Buffer | undefined {
    if (record.epoch === 0) {
      // Epoch 0 carries only the handshake's plaintext flights. Retransmitted flights carry new
      // sequence numbers and a stateless server may legitimately reuse one, so no replay window
      // here: the handshake layer discards duplicate messages by message_seq instead.
      return record.fragment;
    }
    const cipher = this.readCiphers.get(record.epoch);
    if (!cipher) {
      if (record.epoch === 1 && this.readCiphers.size === 0) {
        if (this.futureRecords.length >= MAX_FUTURE_RECORDS) {
          this.onDrop('futureEpochOverflow');
          return undefined;
        }
        // Copy: the datagram buffer may be reused by the caller.
        this.futureRecords.push({ ...record, fragment: Buffer.from(record.fragment) });
        this.onDrop('futureEpochBuffered');
        return undefined;
      }
      this.onDrop('unknownEpoch');
      return undefined;
    }
    const window = this.replay.get(record.epoch)!;
    if (!window.check(record.sequenceNumber)) {
      this.onDrop('replayed');
      return undefined;
    }
    const plaintext = cipher.decrypt(record.epoch, record.sequenceNumber, record.type, record.version, record.fragment);
    if (!plaintext) {
      this.onDrop('decryptFailed');
      return undefined;
    }
    window.mark(record.sequenceNumber);
    return plaintext;
  }

  /** Packs records into datagrams of at most `mtu` bytes (RFC 6347 §4.1.1: records never span datagrams). */
  static pack(records: Buffer[], mtu: number): Buffer[] {
    const out: Buffer[] = [];
    let current: Buffer[] = [];
    let size = 0;
    for (const r of records) {
      if (size > 0 && size + r.length > mtu) {
        // A lone record is already a datagram: no copy.
        out.push(current.length === 1 ? current[0]! : Buffer.concat(current));
        current = [];
        size = 0;
      }
      current.push(r);
      size += r.length;
    }
    if (size > 0) out.push(current.length === 1 ? current[0]! : Buffer.concat(current));
    return out;
  }
}

export { ContentType };
