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
 * Numbers are noisy: other processes share the 2 cores. Run a few times.
 */
import { randomBytes } from 'node:crypto';
import { RtpHeader, SrtpSession as WeriftSrtp } from 'werift-rtp';
import { SrtpSession, dtlsIdOf, profileParams, type SrtpProfile } from '@rivulet/srtp';

const SECONDS = Number(process.argv[2] ?? 1.5);
const PAYLOAD = 1200;
const BATCH = 1000;

interface Impl {
  name: string;
  protect(seq: number): Buffer;
  unprotect(packet: Buffer): Buffer | undefined;
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
  const ours: Impl = {
    name: '@rivulet/srtp',
    protect(seq) {
      plain.writeUInt16BE(seq & 0xffff, 2);
      return a.protectRtp(plain);
    },
    unprotect: (pkt) => b.unprotectRtp(pkt),
  };

  const id = dtlsIdOf(profile) as 1 | 7;
  const wa = new WeriftSrtp({ profile: id, keys: { localMasterKey: k1, localMasterSalt: s1, remoteMasterKey: k2, remoteMasterSalt: s2 } });
  const wb = new WeriftSrtp({ profile: id, keys: { localMasterKey: k2, localMasterSalt: s2, remoteMasterKey: k1, remoteMasterSalt: s1 } });
  const header = new RtpHeader({ payloadType: 96, ssrc: 0xcafe, sequenceNumber: 0, timestamp: 0 });
  const theirs: Impl = {
    name: 'werift-rtp',
    protect(seq) {
      header.sequenceNumber = seq & 0xffff;
      return wa.encrypt(payload, header);
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
  let seq = 0;
  // Warm up (JIT) and check the pair really works.
  for (let i = 0; i < 2000; i++) {
    const out = impl.unprotect(impl.protect(seq++));
    if (out === undefined || out.length !== 12 + PAYLOAD) throw new Error(`${impl.name}: round trip failed at warm-up packet ${i}`);
  }
  // Protect-only reuses one batch of sequence numbers: a receiver could not follow a jump of more
  // than 2^15 (RFC 3711 §3.3.1), and the later phases continue from `seq`.
  const base = seq;
  const protect = timed(SECONDS, (i) => void impl.protect(base + i));
  seq += BATCH;
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
  return { protect, unprotect, roundTrip };
}

const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
console.log(`SRTP ${PAYLOAD}-byte payload, ${SECONDS}s per case, node ${process.version}; shared 2-core machine, expect noise`);
for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as const) {
  const [ours, theirs] = makeImpls(profile);
  const o = measure(ours!);
  const t = measure(theirs!);
  console.log(`\n${profile}`);
  console.log(`  ${'case'.padEnd(24)}${'@rivulet/srtp'.padStart(14)}${'werift-rtp'.padStart(14)}${'ratio'.padStart(8)}`);
  const row = (name: string, a: number, b: number): void =>
    console.log(`  ${name.padEnd(24)}${k(a).padStart(14)}${k(b).padStart(14)}${(a / b).toFixed(2).padStart(7)}×`);
  row('protect pkts/s', o.protect, t.protect);
  row('unprotect pkts/s', o.unprotect, t.unprotect);
  row('round trip pkts/s', o.roundTrip, t.roundTrip);
  row('round trip ops/s', 2 * o.roundTrip, 2 * t.roundTrip);
}
