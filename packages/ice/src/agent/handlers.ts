import type { TransportAddress } from '@rivulet/common';
import { StunAttr, StunClass, StunErrorCode, StunMethod, attr, shortTermKey, verifyIntegrity, type StunMessage } from '../stun/index.js';
import type { IceAgent } from './agent.js';
import { sourceKey } from './sourceKey.js';
import type { LocalBase } from './base.js';
import { IceCandidate } from './candidate.js';
import { buildErrorResponse, buildSuccessResponse, resolveRoleConflict } from './checks.js';
import { foundationFor } from './gather.js';
import type { CandidatePair } from './pair.js';
import { acceptRemote, candidateOfBase, evictFailedPeerReflexive, makePair } from './pairing.js';

/** What we remember about a check we sent, keyed by transaction id. */
export interface CheckContext {
  pair: CandidatePair;
  kind: 'check' | 'nominate' | 'consent';
  /** PRIORITY we sent (a peer-reflexive local candidate gets it, §7.2.5.3.1). */
  priority: number;
  sentAt: number;
  /** Role we asserted in the request (§7.2.5.1 compares it on a 487). */
  controlling: boolean;
  remotePassword: string;
}

/**
 * RFC 8445 §7.3: an incoming Binding request. Answered only when USERNAME
 * names our fragment and MESSAGE-INTEGRITY verifies with our password: an
 * unauthenticated packet gets no answer and creates no state.
 */
export function handleBindingRequest(agent: IceAgent, base: LocalBase, msg: StunMessage, from: TransportAddress): void {
  const c = agent.counters;
  if (msg.method !== StunMethod.Binding) {
    c.inc('request-not-binding');
    return;
  }
  const username = attr.getUsername(msg);
  if (username === undefined || !msg.has(StunAttr.MessageIntegrity)) {
    c.inc('request-unauthenticated');
    return;
  }
  const localUfrag = username.split(':', 1)[0];
  const current = agent.localParameters;
  const previous = agent.previousLocal;
  const creds = localUfrag === current.usernameFragment ? current : previous && localUfrag === previous.usernameFragment ? previous : undefined;
  if (!creds) {
    c.inc('request-wrong-ufrag');
    return;
  }
  if (!verifyIntegrity(msg, shortTermKey(creds.password))) {
    c.inc('request-bad-integrity');
    return;
  }
  const reply = (bytes: Buffer) => base.send(bytes, from);
  // RFC 8489 §6.3.1.1: unknown comprehension-required attributes → 420 (only to authenticated requests).
  const unknown = msg.unknownComprehensionRequired();
  if (unknown.length > 0) {
    c.inc('request-unknown-attributes');
    reply(buildErrorResponse(msg, StunErrorCode.UnknownAttribute, 'Unknown Attribute', creds.password, unknown));
    return;
  }
  let priority: number | undefined;
  let useCandidate: boolean;
  let conflict: ReturnType<typeof resolveRoleConflict>;
  try {
    priority = attr.getPriority(msg);
    useCandidate = attr.getUseCandidate(msg);
    conflict = agent.iceLite ? 'none' : resolveRoleConflict(agent.controlling, agent.tieBreaker, msg);
  } catch {
    c.inc('request-malformed');
    reply(buildErrorResponse(msg, StunErrorCode.BadRequest, 'Bad Request', creds.password));
    return;
  }
  if (priority === undefined) {
    // §7.2.2: PRIORITY is mandatory in a check.
    c.inc('request-malformed');
    reply(buildErrorResponse(msg, StunErrorCode.BadRequest, 'Bad Request', creds.password));
    return;
  }
  if (creds === previous) {
    // The old generation keeps consent alive on the old pair until the restart completes.
    c.inc('request-previous-generation');
    agent.validSources.add(sourceKey(base, from));
    reply(buildSuccessResponse(msg, from, creds.password));
    return;
  }
  // §7.3.1.1 role conflict.
  if (conflict === 'reject') {
    c.inc('request-role-conflict-487');
    reply(buildErrorResponse(msg, StunErrorCode.RoleConflict, 'Role Conflict', creds.password));
    return;
  }
  if (conflict === 'switch') {
    c.inc('request-role-switch');
    agent.setRole(!agent.controlling);
  }
  reply(buildSuccessResponse(msg, from, creds.password));
  agent.validSources.add(sourceKey(base, from));

  // §7.3.1.3: learn a peer-reflexive remote candidate (authenticated requests only, capped).
  let remote = agent.remoteCandidates.find((r) => r.address === from.address && r.port === from.port);
  if (!remote) {
    if (agent.prflxRemoteCount >= agent.opts.maxPeerReflexive && !evictFailedPeerReflexive(agent)) {
      c.inc('prflx-remote-capped');
      return;
    }
    const learnt = acceptRemote(
      agent,
      new IceCandidate({
        foundation: foundationFor('prflx', from.address),
        priority,
        address: from.address,
        port: from.port,
        type: 'prflx',
        ...(agent.remoteParameters ? { usernameFragment: agent.remoteParameters.usernameFragment } : {}),
      }),
    );
    if (!learnt) return;
    agent.prflxRemoteCount++;
    c.inc('prflx-remote-created');
    remote = learnt;
  }
  const local = candidateOfBase(agent, base);
  if (!local) return; // e.g. a host socket under the relay-only policy
  const key = `${base.id}|${remote.key}`;
  const pair = agent.checklist.find(key) ?? makePair(agent, local, remote);
  if (!pair) return;
  pair.requestsReceived++;
  pair.responsesSent++; // the success response above (§7.3.1.4)
  pair.lastRequestReceived = agent.clock.now();

  if (agent.iceLite) {
    // RFC 8445 §2.5 / §8.2: a lite agent has no checks of its own; a nominating request selects the pair.
    pair.state = 'succeeded';
    if (useCandidate) {
      pair.nominated = true;
      agent.selectNominated();
    }
    return;
  }
  // §7.3.1.4 triggered check. An in-progress check stops retransmitting (a late answer still
  // counts) and a fresh check goes out at once: the peer just proved the path works inbound.
  if (pair.state === 'in-progress' && pair.transactionKey) {
    agent.transactions.get(pair.transactionKey)?.stopRetransmitting();
    pair.state = 'waiting';
  }
  if (pair.state !== 'succeeded' && pair.state !== 'in-progress') agent.checklist.trigger(pair);
  // §7.3.1.5: USE-CANDIDATE (regular or aggressive nomination) as the controlled agent.
  if (useCandidate && !agent.controlling) {
    if (pair.state === 'succeeded') {
      pair.nominated = true;
      agent.selectNominated();
    } else pair.nominateOnSuccess = true;
  }
  agent.scheduleTick();
  agent.updateState();
}

/** RFC 8445 §7.2.5: a response to one of our checks, or to a gathering transaction. */
export function handleCheckResponse(agent: IceAgent, base: LocalBase, msg: StunMessage, from: TransportAddress): void {
  const c = agent.counters;
  const ctx = agent.checkTx.get(msg.transactionKey);
  if (!ctx) {
    // Gathering transactions (STUN server Binding) have no ICE credentials.
    if (!agent.transactions.handleResponse(msg)) c.inc('response-unknown-transaction');
    return;
  }
  if (!verifyIntegrity(msg, shortTermKey(ctx.remotePassword))) {
    // §7.2.5.2 / RFC 8489 §6.3.3: keep waiting; a forged response must not end the transaction.
    c.inc('response-bad-integrity');
    return;
  }
  agent.checkTx.delete(msg.transactionKey);
  agent.transactions.handleResponse(msg);
  const pair = ctx.pair;
  if (msg.messageClass === StunClass.ErrorResponse) {
    let code: number | undefined;
    try {
      code = attr.getErrorCode(msg)?.code;
    } catch {
      code = undefined;
    }
    if (ctx.kind === 'consent') return;
    if (code === StunErrorCode.RoleConflict) {
      // §7.2.5.1: switch to the role opposite the one the request asserted, then retry.
      c.inc('response-role-conflict');
      if (ctx.controlling === agent.controlling) agent.setRole(!ctx.controlling);
      if (ctx.kind === 'nominate') agent.scheduler.abortNomination();
      pair.state = 'waiting';
      agent.checklist.trigger(pair);
      agent.scheduleTick();
      return;
    }
    c.inc('response-error');
    agent.scheduler.pairFailed(ctx);
    return;
  }
  // §7.2.5.2.1: the response must come from where the request went, to the base it left from.
  if (base !== pair.local.base || from.address !== pair.remote.address || from.port !== pair.remote.port) {
    c.inc('response-asymmetric');
    if (ctx.kind !== 'consent') agent.scheduler.pairFailed(ctx);
    return;
  }
  if (ctx.kind === 'consent') {
    agent.scheduler.consentAnswered(pair, ctx);
    return;
  }
  let mapped: TransportAddress | undefined;
  try {
    mapped = attr.getXorMappedAddress(msg);
  } catch {
    mapped = undefined;
  }
  if (!mapped) {
    c.inc('response-malformed');
    agent.scheduler.pairFailed(ctx);
    return;
  }
  // §7.2.5.3.1: a mapped address we do not know is a peer-reflexive local candidate.
  const m = mapped;
  if (!agent.localCandidates.some((l) => l.base === base && l.address.address === m.address && l.address.port === m.port)) {
    c.inc('prflx-local-created');
    agent.localCandidates.push({
      candidate: new IceCandidate({
        foundation: foundationFor('prflx', base.address.address),
        priority: ctx.priority,
        address: m.address,
        port: m.port,
        type: 'prflx',
        usernameFragment: agent.localParameters.usernameFragment,
      }),
      base,
      address: m,
    });
  }
  agent.scheduler.pairSucceeded(ctx, from);
}
