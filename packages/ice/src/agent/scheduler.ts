import type { Timer, TransportAddress } from '@rivulet/common';
import { StunCancelledError, StunClass, StunMessage, StunMethod, encodeStun } from '../stun/index.js';
import type { IceAgent, PairCredentials } from './agent.js';
import { candidatePriority } from './candidate.js';
import { buildCheckRequest } from './checks.js';
import type { CheckContext } from './handlers.js';
import type { CandidatePair } from './pair.js';
import { sourceKey } from './sourceKey.js';

/**
 * Sends connectivity checks (RFC 8445 §6.1.4 pacing at Ta, §7.2 checks),
 * drives regular nomination as the controlling agent (§8.1.1), and sends
 * consent checks (RFC 7675) on the selected pair. One per agent; it reads
 * the agent's check list, credentials and role.
 */
export class CheckScheduler {
  private taTimer: Timer | undefined;
  private lastCheckAt = -Infinity;
  /** A USE-CANDIDATE check is outstanding. */
  nominating = false;
  /** A pair of this generation is nominated/selected: only triggered checks run from now on (§8.1.2). */
  generationNominated = false;
  private firstValidAt: number | undefined;
  private nominationTimer: Timer | undefined;
  private consentTxKey: string | undefined;
  private keepaliveTimer: Timer | undefined;

  constructor(private readonly agent: IceAgent) {}

  /**
   * Paces checks (RFC 8445 §6.1.4.2): the first goes out at once, later ones at least Ta apart.
   * "At once" means synchronously, not on a zero-delay timer: a triggered check (§7.3.1.4) then
   * leaves in the same turn as the request that triggered it, and the first check leaves as soon
   * as the first pair exists. A timer hop costs 1-4 ms on a loaded event loop, several times the
   * loopback round trip, and set-up waits on it on both sides.
   */
  schedule(): void {
    const a = this.agent;
    if (!a.isStarted || a.isClosed || this.taTimer || a.iceLite || !a.remoteParameters) return;
    const delay = Math.max(0, this.lastCheckAt + a.opts.taMs - a.clock.now());
    if (delay === 0) {
      // tick() re-enters schedule() only after send() moved lastCheckAt to now, so this recursion
      // is one level deep and arms the Ta timer for the next check.
      this.tick();
      return;
    }
    this.taTimer = a.clock.setTimeout(() => {
      this.taTimer = undefined;
      this.tick();
    }, delay);
  }

  private tick(): void {
    const a = this.agent;
    if (a.isClosed || !a.remoteParameters) return;
    const pair = a.checklist.next(!this.generationNominated);
    if (!pair) return;
    this.send(pair, 'check');
    this.schedule();
  }

  /** A new generation (ICE restart): forget nomination progress. */
  reset(): void {
    this.nominating = false;
    this.generationNominated = false;
    this.firstValidAt = undefined;
    this.nominationTimer?.cancel();
    this.nominationTimer = undefined;
  }

  stop(): void {
    this.taTimer?.cancel();
    this.taTimer = undefined;
    this.nominationTimer?.cancel();
    this.nominationTimer = undefined;
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = undefined;
  }

  /**
   * RFC 8445 §11: keepalives on the selected pair every Tr (15 s) as Binding indications. Full
   * agents' consent checks already do this; a lite agent sends no checks, so it needs these.
   */
  startKeepalives(intervalMs = 15_000): void {
    if (this.keepaliveTimer) return;
    const a = this.agent;
    const tick = () => {
      this.keepaliveTimer = undefined;
      const p = a.selectedPair;
      if (!p || a.isClosed) return;
      const ind = new StunMessage(StunMethod.Binding, StunClass.Indication);
      p.local.base.send(encodeStun(ind, { fingerprint: true }), p.remoteAddress);
      a.counters.inc('keepalives-sent');
      this.keepaliveTimer = a.clock.setTimeout(tick, intervalMs);
    };
    this.keepaliveTimer = a.clock.setTimeout(tick, intervalMs);
  }

  private send(pair: CandidatePair, kind: CheckContext['kind']): void {
    const a = this.agent;
    const creds: PairCredentials | undefined =
      kind === 'consent'
        ? a.selectedCredentials
        : a.remoteParameters && {
            localUfrag: a.localParameters.usernameFragment,
            remoteUfrag: a.remoteParameters.usernameFragment,
            remotePassword: a.remoteParameters.password,
          };
    if (!creds) return;
    // §7.1.1: PRIORITY = what a peer-reflexive candidate from this base would get.
    const localPref = Math.floor(pair.local.candidate.priority / 256) % 65536;
    const priority = candidatePriority('prflx', localPref, 1);
    const { message, bytes } = buildCheckRequest({
      ...creds,
      priority,
      controlling: a.controlling,
      tieBreaker: a.tieBreaker,
      useCandidate: kind === 'nominate',
      ...(a.opts.software ? { software: a.opts.software } : {}),
    });
    if (kind === 'check') pair.state = 'in-progress';
    const consent = a.consent;
    const options =
      kind === 'consent'
        ? { rto: consent.tickMs, backoff: false, rc: Math.ceil((consent.intervalMs * 1.2) / consent.tickMs) }
        : // Capped backoff: a lossy path should not leave a check (or a nomination) waiting 16 s
          // between retransmissions; a pair still fails after ~16 s without any answer.
          { rto: a.opts.checkRtoMs, maxIntervalMs: 1600 };
    const base = pair.local.base;
    const to = pair.remoteAddress;
    const t = a.transactions.start(message, bytes, (b) => base.send(b, to), options);
    const now = a.clock.now();
    this.lastCheckAt = now;
    pair.requestsSent++;
    if (kind === 'consent') pair.consentRequestsSent++;
    a.counters.inc(kind === 'consent' ? 'consent-checks-sent' : 'checks-sent');
    a.checkTx.set(t.key, { pair, kind, priority, sentAt: now, controlling: a.controlling, remotePassword: creds.remotePassword });
    if (kind === 'consent') this.consentTxKey = t.key;
    else pair.transactionKey = t.key;
    t.promise.then(undefined, (err: Error) => this.onTransactionFailed(t.key, err));
  }

  private onTransactionFailed(key: string, err: Error): void {
    const a = this.agent;
    const ctx = a.checkTx.get(key);
    if (!ctx) return;
    a.checkTx.delete(key);
    if (err instanceof StunCancelledError || ctx.kind === 'consent' || a.isClosed) return;
    // A check superseded by a triggered check, or whose pair succeeded meanwhile, fails nothing.
    if (ctx.kind === 'check' && (ctx.pair.transactionKey !== key || ctx.pair.state === 'succeeded')) return;
    a.counters.inc('checks-timed-out');
    this.pairFailed(ctx);
  }

  /** A check ended without success (timeout, error response, asymmetric or malformed answer). */
  pairFailed(ctx: CheckContext): void {
    const a = this.agent;
    if (ctx.kind === 'nominate' && ctx.pair.nominationRetries < 2 && !a.isClosed) {
      // The pair passed a check moments ago, so a nomination that went unanswered most likely
      // lost its packets; the peer may even have selected the pair already. Nominate the same
      // pair again (twice at most) rather than moving to another one, which could leave the two
      // sides on different pairs.
      ctx.pair.nominationRetries++;
      a.counters.inc('nomination-retries');
      this.send(ctx.pair, 'nominate');
      return;
    }
    if (ctx.kind === 'check' && ctx.pair.requestsReceived > 0 && ctx.pair.checkRetries < 2 && !a.isClosed) {
      // The peer's authenticated checks reach us on this pair, so our answers' loss is the likely
      // cause: check again (bounded) instead of failing a path that works inbound.
      ctx.pair.checkRetries++;
      a.counters.inc('check-retries');
      ctx.pair.state = 'waiting';
      a.checklist.trigger(ctx.pair);
      this.schedule();
      return;
    }
    ctx.pair.state = 'failed';
    if (ctx.kind === 'nominate') this.nominating = false;
    this.maybeNominate();
    this.agent.updateState();
    this.schedule();
  }

  /** A pair's check succeeded (§7.2.5.3): it is valid; move nomination on. */
  pairSucceeded(ctx: CheckContext, from: TransportAddress): void {
    const a = this.agent;
    const pair = ctx.pair;
    const now = a.clock.now();
    pair.state = 'succeeded';
    pair.rttMs = now - ctx.sentAt;
    pair.responsesReceived++;
    pair.lastResponseReceived = now;
    a.validSources.add(sourceKey(pair.local.base, from));
    a.checklist.unfreeze(pair.foundation);
    this.firstValidAt ??= now;
    // Data held while no pair was valid goes out before the nomination below, so a DTLS flight
    // answering an early ClientHello reaches the peer ahead of the USE-CANDIDATE that selects.
    a.noteWritable();
    if (ctx.kind === 'nominate') {
      this.nominating = false;
      pair.nominated = true;
      a.selectPair(pair);
    } else if (!a.controlling && pair.nominateOnSuccess) {
      pair.nominated = true;
      a.selectNominated();
    } else this.maybeNominate();
    a.updateState();
    this.schedule();
  }

  /** A nomination got 487: nominate again later, perhaps in the other role. */
  abortNomination(): void {
    this.nominating = false;
  }

  /** RFC 7675: one consent check; the previous one, if unanswered, is abandoned. */
  sendConsent(): void {
    const a = this.agent;
    const p = a.selectedPair;
    if (!p || a.isClosed) return;
    if (this.consentTxKey) {
      a.checkTx.delete(this.consentTxKey);
      a.transactions.get(this.consentTxKey)?.cancel('next consent check');
    }
    this.send(p, 'consent');
  }

  consentAnswered(pair: CandidatePair, ctx: CheckContext): void {
    const a = this.agent;
    pair.rttMs = a.clock.now() - ctx.sentAt;
    pair.responsesReceived++;
    pair.lastResponseReceived = a.clock.now();
    if (a.selectedPair === pair) a.consent.onResponse();
  }

  /** RFC 8445 §8.1.1 regular nomination: nominate the best valid pair once no better pair can still succeed. */
  maybeNominate(): void {
    const a = this.agent;
    if (!a.controlling || a.iceLite || this.nominating || this.generationNominated || a.isClosed) return;
    const pairs = a.checklist.all;
    const best = pairs.find((p) => p.state === 'succeeded');
    if (!best) return;
    const better = pairs.some((p) => p.priority > best.priority && (p.state === 'waiting' || p.state === 'in-progress' || p.state === 'frozen'));
    const waited = a.clock.now() - (this.firstValidAt ?? a.clock.now());
    if (better && waited < a.opts.nominationDelayMs) {
      this.nominationTimer ??= a.clock.setTimeout(() => {
        this.nominationTimer = undefined;
        this.maybeNominate();
      }, a.opts.nominationDelayMs - waited);
      return;
    }
    this.nominating = true;
    this.send(best, 'nominate');
  }

  /** A pair was selected: this generation is nominated. */
  onSelected(): void {
    this.generationNominated = true;
    this.nominationTimer?.cancel();
    this.nominationTimer = undefined;
  }
}
