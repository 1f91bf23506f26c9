/**
 * SRTP throughput: @rivulet/srtp against werift-rtp, same process, same packets.
 * Run: node --conditions=rivulet-source --import tsx bench/srtp-protect.ts [seconds-per-case]
 *
 * For each profile both support (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM) and a 1200-byte
 * payload (12-byte header), it reports packets per second for:
 *   protect     RTP → SRTP only
 *   unprotect   SRTP → RTP only (batches protected untimed beforehand, fresh sequence numbers)
 *   round trip  protect then unprotect the same packet; "pkts/s" counts packets (each packet is
 *               one protect + one unprotect), "ops/s" counts both operations.
 * Contention: other processes share the 2 cores, so each case runs ROUNDS short rounds,
 * alternating ours and werift's, and we print the best round of each (the least-disturbed
 * sample) and the median. Ratios are computed between figures of the same kind.
 */
import { randomBytes } from 'node:crypto';
import { RtpHeader, SrtpSession as WeriftSrtp } from 'werift-rtp';
import { SrtpSession, dtlsIdOf, profileParams, type SrtpProfile } from '@rivulet/srtp';

const SECONDS = Number(process.argv[2] ?? 0.3);
const ROUNDS = Number(process.argv[3] ?? 7);
const PAYLOAD = 1200;
const BATCH = 1000;

interface Impl {
  name: string;
  /** Next sequence number (continues across rounds so the receiver never sees a replay). */
  seq: number;
  protect(seq: number): Buffer;
  unprotect(packet: Buffer): Buffer | undefined;
  /** A separate sender used only by the protect-only case (its packets never reach a receiver). */
  protectOnly(seq: number): Buffer;
  soloSeq: number;
}

function makeImpls(profile: SrtpProfile): Impl[] {
  const p = profileParams(profile);
  const k1 = randomBytes(p.keyLength), s1 = randomBytes(p.saltLength);
  const k2 = randomBytes(p.keyLength), s2 = randomBytes(p.saltLength);
  const payload = randomBytes(PAYLOAD);
  const plain = Buffer.alloc(12 + PAYLOAD);
  plain[0] = 0x80;
  plain[1] = 96;
  plain.writeUInt32BE(0xcafe, 8);
  payload.copy(plain, 12);

  // Ours: a sender and a receiver keyed as a pair (a loops its own output back through b).
  const a = new SrtpSession({ profile, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 });
  const b = new SrtpSession({ profile, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1 });
  const solo = new SrtpSession({ profile, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 });
  const ours: Impl = {
    name: '@rivulet/srtp',
    seq: 0,
    soloSeq: 0,
    protect(seq) {
      plain.writeUInt16BE(seq & 0xffff, 2);
      return a.protectRtp(plain);
    },
    protectOnly(seq) {
      plain.writeUInt16BE(seq & 0xffff, 2);
      return solo.protectRtp(plain);
    },
    unprotect: (pkt) => b.unprotectRtp(pkt),
  };

  const id = dtlsIdOf(profile) as 1 | 7;
  const wa = new WeriftSrtp({ profile: id, keys: { localMasterKey: k1, localMasterSalt: s1, remoteMasterKey: k2, remoteMasterSalt: s2 } });
  const wb = new WeriftSrtp({ profile: id, keys: { localMasterKey: k2, localMasterSalt: s2, remoteMasterKey: k1, remoteMasterSalt: s1 } });
  const wsolo = new WeriftSrtp({ profile: id, keys: { localMasterKey: k1, localMasterSalt: s1, remoteMasterKey: k2, remoteMasterSalt: s2 } });
  const header = new RtpHeader({ payloadType: 96, ssrc: 0xcafe, sequenceNumber: 0, timestamp: 0 });
  const theirs: Impl = {
    name: 'werift-rtp',
    seq: 0,
    soloSeq: 0,
    protect(seq) {
      header.sequenceNumber = seq & 0xffff;
      return wa.encrypt(payload, header);
    },
    protectOnly(seq) {
      header.sequenceNumber = seq & 0xffff;
      return wsolo.encrypt(payload, header);
    },
    unprotect: (pkt) => wb.decrypt(pkt),
  };
  return [ours, theirs];
}

/** Runs `step` in chunks until `seconds` of timed work; returns operations per second. */
function timed(seconds: number, step: (i: number) => void, untimedSetup?: (round: number) => void): number {
  let ops = 0;
  let spent = 0;
  for (let round = 0; spent < seconds * 1000 && round < 100_000; round++) {
    untimedSetup?.(round);
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) step(i);
    spent += performance.now() - t0;
    ops += BATCH;
  }
  return ops / (spent / 1000);
}

function measure(impl: Impl): { protect: number; unprotect: number; roundTrip: number } {
  let seq = impl.seq;
  // Warm up (JIT) and check the pair really works.
  for (let i = 0; i < 300; i++) {
    const out = impl.unprotect(impl.protect(seq++));
    if (out === undefined || out.length !== 12 + PAYLOAD) throw new Error(`${impl.name}: round trip failed at warm-up packet ${i}`);
  }
  // Protect-only runs on a separate sender with its own ever-increasing sequence numbers: its
  // packets never reach a receiver, so the pair used below never sees a jump of more than 2^15
  // (RFC 3711 §3.3.1). (Re-sending one batch of sequence numbers instead made werift-rtp's sender
  // count a rollover at every batch, so its receiver later failed authentication.)
  const protect = timed(SECONDS, () => void impl.protectOnly(impl.soloSeq++));
  // Unprotect needs fresh sequence numbers in order (replay protection): protect a batch untimed.
  let batch: Buffer[] = [];
  const unprotect = timed(
    SECONDS,
    (i) => {
      if (impl.unprotect(batch[i]!) === undefined) throw new Error(`${impl.name}: unprotect dropped a packet`);
    },
    () => {
      batch = Array.from({ length: BATCH }, () => impl.protect(seq++));
    },
  );
  const roundTrip = timed(SECONDS, () => void impl.unprotect(impl.protect(seq++)));
  impl.seq = seq;
  return { protect, unprotect, roundTrip };
}

const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
type Figures = { protect: number; unprotect: number; roundTrip: number };
const best = (xs: number[]): number => Math.max(...xs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`SRTP ${PAYLOAD}-byte payload, ${ROUNDS} alternating rounds of ${SECONDS}s per case, node ${process.version}`);
console.log('shared 2-core machine: "best" is the least-disturbed round, "median" the typical one');
for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as const) {
  const [ours, theirs] = makeImpls(profile);
  const o: Figures[] = [];
  const t: Figures[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    o.push(measure(ours!));
    t.push(measure(theirs!));
  }
  console.log(`\n${profile}`);
  console.log(`  ${'case (packets/s)'.padEnd(22)}${'ours best'.padStart(11)}${'werift best'.padStart(13)}${'ratio'.padStart(8)}${'ours med'.padStart(11)}${'werift med'.padStart(12)}${'ratio'.padStart(8)}`);
  for (const key of ['protect', 'unprotect', 'roundTrip'] as const) {
    const ob = best(o.map((f) => f[key])), tb = best(t.map((f) => f[key]));
    const om = median(o.map((f) => f[key])), tm = median(t.map((f) => f[key]));
    const name = key === 'roundTrip' ? 'round trip (pairs)' : key;
    console.log(`  ${name.padEnd(22)}${k(ob).padStart(11)}${k(tb).padStart(13)}${(ob / tb).toFixed(2).padStart(7)}×${k(om).padStart(11)}${k(tm).padStart(12)}${(om / tm).toFixed(2).padStart(7)}×`);
  }
  const rb = best(o.map((f) => f.roundTrip)), rt = best(t.map((f) => f.roundTrip));
  console.log(`  ${'round trip (ops = 2×)'.padEnd(22)}${k(2 * rb).padStart(11)}${k(2 * rt).padStart(13)}`);
}
