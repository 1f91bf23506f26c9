import { isIP } from 'node:net';
import { Counters, TypedEmitter, createLogger, nodeNetwork, realClock, type Clock, type Network, type TransportAddress } from '@rivulet/common';
import { StunClass, StunTransactionTable, parseStun } from '../stun/index.js';
import type { LocalBase } from './base.js';
import { IceCandidate } from './candidate.js';
import { CheckList } from './checklist.js';
import { ConsentMonitor, type ConsentStatus } from './consent.js';
import { generateIceParameters, generateTieBreaker, validateIceParameters, type IceParameters } from './credentials.js';
import { CandidateGatherer } from './gatherer.js';
import { handleBindingRequest, handleCheckResponse, type CheckContext } from './handlers.js';
import { MulticastDnsService } from './mdns.js';
import { CandidatePair, type LocalCandidate } from './pair.js';
import { acceptRemote, makePair } from './pairing.js';
import { CheckScheduler } from './scheduler.js';
import { sourceKey } from './sourceKey.js';
import type { IceAgentEvents, IceAgentOptions, IceConnectionState, IceCounter, IceGatheringState, IceRole, IceTransportPolicy } from './types.js';

const log = createLogger('ice');
/** Datagrams held by send() while no pair is valid yet (a DTLS flight is 1-4 datagrams). */
const MAX_PENDING_SENDS = 16;

/** Credentials a pair's checks use, captured at selection so consent survives an ICE restart. */
export interface PairCredentials {
  localUfrag: string;
  remoteUfrag: string;
  remotePassword: string;
}

/**
 * The ICE agent (RFC 8445, full or lite) for one data stream with one
 * component (rtcp-mux), as a sans-IO core over a Clock and a Network. See
 * docs/ice.md for the lifecycle; handlers.ts holds the STUN request/response
 * processing, gather.ts the candidate gathering.
 */
export class IceAgent extends TypedEmitter<IceAgentEvents> {
  readonly counters = new Counters<IceCounter>();
  localParameters: IceParameters;
  remoteParameters: (IceParameters & { iceLite: boolean }) | undefined;
  readonly tieBreaker = generateTieBreaker();
  readonly iceLite: boolean;
  readonly clock: Clock;
  readonly network: Network;
  readonly policy: IceTransportPolicy;

  /** @internal */ controlling: boolean;
  /** @internal */ readonly checklist = new CheckList();
  /** @internal */ readonly transactions: StunTransactionTable;
  /** @internal */ readonly checkTx = new Map<string, CheckContext>();
  /** @internal */ localCandidates: LocalCandidate[] = [];
  /** @internal */ remoteCandidates: IceCandidate[] = [];
  /** @internal */ prflxRemoteCount = 0;
  /** @internal credentials of the previous generation, answered until the restart selects a pair */
  previousLocal: IceParameters | undefined;
  /** @internal sources allowed to deliver data: `${baseId}|addr:port` */
  readonly validSources = new Set<string>();
  /** @internal */ readonly opts: Required<Pick<IceAgentOptions, 'taMs' | 'checkRtoMs' | 'nominationDelayMs' | 'maxRemoteCandidates' | 'maxPeerReflexive'>> & { software: string | undefined };

  private _state: IceConnectionState = 'new';
  private _gatheringState: IceGatheringState = 'new';
  private _selectedPair: CandidatePair | undefined;
  /** @internal */ selectedCredentials: PairCredentials | undefined;
  private started = false;
  /** Datagrams given to send() before any pair was valid (see send()). */
  private pendingSends: Uint8Array[] = [];
  private writableAnnounced = false;
  private closed = false;
  private remoteEndOfCandidates = false;
  /** Consent expired on the selected pair: 'failed' until restart(). */
  private consentLost = false;
  /** The peer changed its ufrag since our last restart (a peer-initiated ICE restart). */
  private remoteRestarted = false;
  private pendingMdns = 0;
  private gatheredOnce = false;
  private gathering: Promise<void> | undefined;
  /** @internal */ readonly scheduler = new CheckScheduler(this);
  /** @internal */ readonly consent: ConsentMonitor;
  private readonly gatherer: CandidateGatherer;
  private ownMdns: MulticastDnsService | undefined;

  constructor(private readonly options: IceAgentOptions) {
    super();
    if (typeof options?.controlling !== 'boolean') {
      throw new TypeError(`IceAgent: options.controlling must be a boolean, got ${String(options?.controlling)}`);
    }
    this.clock = options.clock ?? realClock;
    this.network = options.network ?? nodeNetwork;
    this.policy = options.iceTransportPolicy ?? 'all';
    if (this.policy !== 'all' && this.policy !== 'relay') {
      throw new TypeError(`IceAgent: iceTransportPolicy must be 'all' or 'relay', got ${String(this.policy)}`);
    }
    this.iceLite = options.iceLite ?? false;
    // RFC 8445 §6.1.1: a lite agent is always controlled.
    this.controlling = this.iceLite ? false : options.controlling;
    this.transactions = new StunTransactionTable(this.clock);
    this.localParameters = generateIceParameters();
    this.opts = {
      taMs: positive(options.taMs ?? 50, 'taMs'),
      checkRtoMs: positive(options.checkRtoMs ?? 500, 'checkRtoMs'),
      nominationDelayMs: nonNegative(options.nominationDelayMs ?? 1000, 'nominationDelayMs'),
      maxRemoteCandidates: positive(options.maxRemoteCandidates ?? 100, 'maxRemoteCandidates'),
      maxPeerReflexive: nonNegative(options.maxPeerReflexive ?? 20, 'maxPeerReflexive'),
      software: options.software,
    };
    this.consent = new ConsentMonitor(
      this.clock,
      { intervalMs: options.consentIntervalMs, disconnectedMs: options.disconnectedTimeoutMs, failedMs: options.failedTimeoutMs },
      () => this.scheduler.sendConsent(),
      (s) => this.onConsentStatus(s),
    );
    this.gatherer = new CandidateGatherer({
      network: this.network,
      clock: this.clock,
      transactions: this.transactions,
      policy: this.policy,
      iceServers: options.iceServers ?? [],
      hostOnly: this.iceLite,
      interfaceFilter: options.interfaceFilter,
      mdnsResponder: options.hideHostAddresses ? () => options.mdnsResponder ?? this.defaultMdns() : undefined,
      turnAllocator: options.turnAllocator,
      resolveHostname: options.resolveHostname,
      receive: (base, data, from) => this.handleDatagram(base, data, from),
      onCandidate: (l) => this.addLocal(l),
      isClosed: () => this.closed,
    });
  }

  /** @internal */
  get isStarted(): boolean {
    return this.started;
  }
  /** @internal */
  get isClosed(): boolean {
    return this.closed;
  }

  get role(): IceRole {
    return this.controlling ? 'controlling' : 'controlled';
  }
  get state(): IceConnectionState {
    return this._state;
  }
  get gatheringState(): IceGatheringState {
    return this._gatheringState;
  }
  get selectedPair(): CandidatePair | undefined {
    return this._selectedPair;
  }
  /** Local candidates gathered so far (host, srflx, relay; not peer-reflexive). */
  get localCandidateList(): IceCandidate[] {
    return this.localCandidates.filter((l) => l.candidate.type !== 'prflx').map((l) => l.candidate);
  }
  get remoteCandidateList(): readonly IceCandidate[] {
    return this.remoteCandidates;
  }
  get pairs(): readonly CandidatePair[] {
    return this.checklist.all;
  }

  setRemoteParameters(p: { usernameFragment: string; password: string; iceLite?: boolean }): void {
    this.assertOpen('setRemoteParameters');
    validateIceParameters(p, 'IceAgent.setRemoteParameters: remote');
    if (this.remoteParameters && this.remoteParameters.usernameFragment !== p.usernameFragment) {
      // The peer restarted ICE (RFC 8445 §9): start a new check list; media stays on the selected pair.
      this.resetChecks();
      this.remoteRestarted = true;
    }
    this.remoteParameters = { usernameFragment: p.usernameFragment, password: p.password, iceLite: p.iceLite ?? false };
    if (this.remoteParameters.iceLite && !this.controlling && !this.iceLite) {
      // RFC 8445 §6.1.1: with a lite peer the full agent is controlling.
      this.setRole(true);
    }
    this.scheduleTick();
  }

  gather(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('IceAgent.gather: the agent is closed'));
    // Once complete, gathering again happens only through restart() (which resets the state).
    if (this._gatheringState === 'complete') return Promise.resolve();
    this.gathering ??= this.runGather().finally(() => {
      this.gathering = undefined;
    });
    return this.gathering;
  }

  addRemoteCandidate(c: IceCandidate | null): void {
    this.assertOpen('addRemoteCandidate');
    if (c === null) {
      // RFC 8838 §13: end-of-candidates.
      this.remoteEndOfCandidates = true;
      this.updateState();
      return;
    }
    if (!(c instanceof IceCandidate)) throw new TypeError(`IceAgent.addRemoteCandidate: expected an IceCandidate or null, got ${String(c)}`);
    if (c.component !== 1 || c.protocol !== 'udp') {
      this.counters.inc('remote-candidate-ignored');
      return;
    }
    if (c.usernameFragment && this.remoteParameters && c.usernameFragment !== this.remoteParameters.usernameFragment) {
      this.counters.inc('remote-candidate-ignored'); // an earlier generation (RFC 8838 §4.1)
      return;
    }
    if (c.isMdns) {
      this.pendingMdns++;
      const resolver = this.options.mdnsResolver ?? this.defaultMdns();
      resolver.resolve(c.address).then(
        (address) => this.onMdnsResolved(c, address),
        () => this.onMdnsResolved(c, undefined),
      );
      return;
    }
    // Unresolved names, unspecified addresses and port 0 cannot be checked (RFC 8445 §5.1.1).
    if (!c.family || c.port === 0 || c.address === '0.0.0.0' || c.address === '::') {
      this.counters.inc('remote-candidate-ignored');
      return;
    }
    acceptRemote(this, c);
  }

  start(): void {
    this.assertOpen('start');
    if (this.started) return;
    this.started = true;
    if (this._state === 'new') this.setState('checking');
    this.scheduleTick();
  }

  /**
   * Whether data can be sent: a pair is selected, or one is valid (RFC 8445 §12.1: "an agent MAY
   * send data on any valid pair before selected pairs have been produced"). DTLS starts on this,
   * as libwebrtc starts it when the transport becomes writable, not on the nomination.
   */
  get writable(): boolean {
    return this._state !== 'failed' && (this._selectedPair !== undefined || this.bestValidPair() !== undefined);
  }

  /**
   * Sends a non-STUN datagram on the selected pair, or before selection on the best valid pair
   * (§12.1). While checks run and no pair is valid yet, a few datagrams are held and sent when the
   * first pair becomes valid: a DTLS server may receive the ClientHello from a peer whose own check
   * already succeeded a moment before our check of the same path does, and dropping its answer
   * would cost a full DTLS retransmission timeout. Otherwise dropped and counted.
   */
  send(data: Uint8Array): void {
    if (this.closed) throw new Error('IceAgent.send: the agent is closed');
    if (this._state === 'failed') {
      this.counters.inc('send-without-pair');
      return;
    }
    const p = this._selectedPair ?? this.bestValidPair();
    if (p) {
      this.counters.inc(p === this._selectedPair ? 'data-sent' : 'data-sent-before-selection');
      p.countSent(data.length, this.clock.now()); // webrtc-stats candidate-pair
      p.local.base.send(data, p.remoteAddress);
      return;
    }
    if (this.started && this.pendingSends.length < MAX_PENDING_SENDS) {
      this.counters.inc('data-held-until-valid');
      this.pendingSends.push(Uint8Array.from(data));
      return;
    }
    this.counters.inc('send-without-pair');
  }

  /** The highest-priority valid pair (the check list is kept sorted by priority). */
  private bestValidPair(): CandidatePair | undefined {
    return this.checklist.all.find((p) => p.state === 'succeeded');
  }

  /** @internal a pair succeeded or was selected: announce writability once, send what was held. */
  noteWritable(): void {
    if (this.closed || !this.writable) return;
    const held = this.pendingSends.splice(0);
    if (!this.writableAnnounced) {
      this.writableAnnounced = true;
      this.emit('writable');
    }
    for (const d of held) if (!this.closed) this.send(d);
  }

  restart(): void {
    this.assertOpen('restart');
    // RFC 8445 §9: new credentials; keep answering the old ones (and using the selected pair) until a new pair is selected.
    this.previousLocal = this._selectedPair ? this.localParameters : undefined;
    this.localParameters = generateIceParameters();
    // If the peer's new parameters (and maybe candidates) already arrived — an answerer restarting
    // in response to a restarting offer — keep them; otherwise wait for the peer's new generation.
    const kept = this.remoteRestarted
      ? { params: this.remoteParameters, candidates: this.remoteCandidates.filter((c) => c.type !== 'prflx'), eoc: this.remoteEndOfCandidates }
      : undefined;
    this.remoteRestarted = false;
    this.resetChecks();
    this.remoteParameters = kept?.params;
    if (kept) {
      for (const c of kept.candidates) acceptRemote(this, c);
      this.remoteEndOfCandidates = kept.eoc;
    }
    this._gatheringState = 'new';
    // W3C: a restart is how an application recovers from 'failed': check again.
    this.consentLost = false;
    if (this.started && this._state === 'failed') this.setState('checking');
    this.gather().catch((err: Error) => log.warn('regathering after restart failed: %s', err.message));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pendingSends = [];
    this.scheduler.stop();
    this.consent.stop();
    this.transactions.cancelAll('agent closed');
    this.gatherer.close(this.options.mdnsResponder ?? this.ownMdns);
    this.ownMdns?.close();
    this.setState('closed');
  }

  getStats(): { counters: Record<string, number>; pairs: Array<Record<string, unknown>>; selectedPair: string | undefined } {
    return {
      counters: this.counters.toJSON(),
      selectedPair: this._selectedPair?.toString(),
      pairs: this.checklist.all.map((p) => ({
        pair: p.toString(),
        state: p.state,
        nominated: p.nominated,
        priority: p.priority.toString(),
        rttMs: p.rttMs,
        requestsSent: p.requestsSent,
        requestsReceived: p.requestsReceived,
        responsesReceived: p.responsesReceived,
      })),
    };
  }

  // ---------------------------------------------------------------- gathering

  private async runGather(): Promise<void> {
    this.setGatheringState('gathering');
    const ufrag = this.localParameters.usernameFragment;
    if (this.gatheredOnce) {
      // After a restart the same bases serve again; re-signal them under the new ufrag.
      this.localCandidates = this.localCandidates
        .filter((l) => l.candidate.type !== 'prflx')
        .map((l) => ({ ...l, candidate: l.candidate.with({ usernameFragment: ufrag }) }));
      for (const l of this.localCandidates) this.emit('candidate', l.candidate);
    } else {
      this.gatheredOnce = true;
      await this.gatherer.gather(ufrag, () => this.localCandidates);
    }
    if (this.closed) return;
    this.setGatheringState('complete');
    this.updateState();
  }

  private addLocal(l: LocalCandidate): void {
    this.localCandidates.push(l);
    this.emit('candidate', l.candidate);
    if (l.candidate.type === 'host' || l.candidate.type === 'relay') {
      for (const r of this.remoteCandidates) makePair(this, l, r);
      this.scheduleTick();
    }
  }

  // ---------------------------------------------------------------- remote candidates and pairs

  private onMdnsResolved(c: IceCandidate, address: string | undefined): void {
    this.pendingMdns--;
    if (this.closed) return;
    if (!address || !isIP(address)) {
      this.counters.inc('mdns-unresolved');
      this.updateState();
      return;
    }
    acceptRemote(this, c.with({ address }));
  }

  private resetChecks(): void {
    for (const [key, ctx] of [...this.checkTx]) {
      if (ctx.kind === 'consent') continue;
      this.checkTx.delete(key);
      this.transactions.get(key)?.cancel('ICE restart');
    }
    this.checklist.clear();
    this.remoteCandidates = [];
    this.prflxRemoteCount = 0;
    this.remoteEndOfCandidates = false;
    this.scheduler.reset();
  }

  // ---------------------------------------------------------------- checks

  /** @internal */
  scheduleTick(): void {
    this.scheduler.schedule();
  }

  /** @internal controlled side: select the highest-priority nominated valid pair (§8.1.1, §7.3.1.5) */
  selectNominated(): void {
    const best = this.checklist.all.find((p) => p.nominated && p.state === 'succeeded');
    if (best) this.selectPair(best);
  }

  /** @internal */
  selectPair(pair: CandidatePair): void {
    this.scheduler.onSelected();
    if (this._selectedPair === pair) return;
    this._selectedPair = pair;
    this.validSources.add(sourceKey(pair.local.base, pair.remoteAddress));
    if (this.remoteParameters) {
      this.selectedCredentials = {
        localUfrag: this.localParameters.usernameFragment,
        remoteUfrag: this.remoteParameters.usernameFragment,
        remotePassword: this.remoteParameters.password,
      };
    }
    this.previousLocal = undefined; // a restart, if any, is complete
    if (this.iceLite) this.scheduler.startKeepalives();
    else this.consent.start();
    log.debug('selected pair %s', pair.toString());
    this.emit('selectedpairchange', pair);
    this.updateState();
    this.noteWritable();
  }

  /**
   * Sets the role (JSEP: the offerer controls, RFC 8445 §6.1.1), before or during checks; also
   * used internally on role conflicts. A lite agent is always controlled.
   */
  setRole(controlling: boolean): void {
    if (typeof controlling !== 'boolean') throw new TypeError(`IceAgent.setRole: expected a boolean, got ${String(controlling)}`);
    if (this.iceLite && controlling) throw new Error('IceAgent.setRole: an ICE-lite agent cannot be controlling (RFC 8445 §6.1.1)');
    if (this.controlling === controlling) return;
    this.controlling = controlling;
    this.checklist.reprioritize(controlling);
    this.emit('rolechange', this.role);
    if (controlling) this.scheduler.maybeNominate();
  }

  // ---------------------------------------------------------------- states

  private onConsentStatus(s: ConsentStatus): void {
    if (s === 'expired') {
      // RFC 7675 §5.1: consent lost — stop sending on the pair; it is no longer selected.
      this.consent.stop();
      this.consentLost = true;
      this._selectedPair = undefined;
      this.emit('selectedpairchange', undefined);
      this.setState('failed');
      return;
    }
    this.updateState();
  }

  /** @internal */
  updateState(): void {
    // Consent loss is terminal until restart() (RFC 7675 §5.1); 'failed' from exhausted checks is not:
    // the peer may still run triggered checks that succeed, as libwebrtc also allows.
    if (this.closed || this.consentLost) return;
    if (this._selectedPair) {
      if (this.consent.status === 'disconnected') this.setState('disconnected');
      else if (this.remoteEndOfCandidates && this._gatheringState === 'complete') this.setState('completed');
      else this.setState('connected');
      return;
    }
    if (!this.started) return;
    const exhausted =
      !this.checklist.active &&
      !this.scheduler.nominating &&
      this.remoteEndOfCandidates &&
      this._gatheringState === 'complete' &&
      this.pendingMdns === 0 &&
      this.checklist.all.every((p) => p.state === 'failed');
    // RFC 8445 §8.1.2 / RFC 8838 §8: failed once every pair failed and no more candidates can come.
    if (exhausted) this.setState('failed');
    else if (this._state === 'failed') this.setState('checking');
  }

  private setState(s: IceConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('statechange', s);
  }

  private setGatheringState(s: IceGatheringState): void {
    if (this._gatheringState === s) return;
    this._gatheringState = s;
    this.emit('gatheringstatechange', s);
  }

  // ---------------------------------------------------------------- input

  /** @internal every datagram from every base lands here */
  handleDatagram(base: LocalBase, data: Buffer, from: TransportAddress): void {
    if (this.closed) return;
    if (data.length === 0) {
      this.counters.inc('empty-datagram');
      return;
    }
    if (data[0]! < 4) {
      // RFC 7983: 0..3 is STUN.
      const msg = parseStun(data, this.counters);
      if (!msg) return;
      if (msg.messageClass === StunClass.Request) handleBindingRequest(this, base, msg, from);
      else if (msg.messageClass === StunClass.Indication) this.counters.inc('indication');
      else handleCheckResponse(this, base, msg, from);
      return;
    }
    // Fast path for media: the selected pair's own 5-tuple needs no string key.
    const sel = this._selectedPair;
    const onSelected = sel !== undefined && sel.local.base === base && sel.remote.port === from.port && sel.remote.address === from.address;
    if (!onSelected && !this.validSources.has(sourceKey(base, from))) {
      this.counters.inc('data-unknown-source');
      return;
    }
    this.counters.inc('data-received');
    (onSelected ? sel : this.checklist.find(sourceKey(base, from)))?.countReceived(data.length, this.clock.now());
    this.emit('data', data);
  }

  private defaultMdns(): MulticastDnsService {
    this.ownMdns ??= new MulticastDnsService(this.clock);
    return this.ownMdns;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new Error(`IceAgent.${what}: the agent is closed`);
  }
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`IceAgent: ${name} must be a positive number, got ${String(v)}`);
  return v;
}

function nonNegative(v: number, name: string): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new RangeError(`IceAgent: ${name} must be a non-negative number, got ${String(v)}`);
  return v;
}

