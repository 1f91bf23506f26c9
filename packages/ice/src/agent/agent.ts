import { Counters, TypedEmitter, type Clock, type Network, type TransportAddress } from '@rivulet/common';
import { StunClass, StunTransactionTable, parseStun } from '../stun/index.js';
import { resolveAgentOptions, type ResolvedAgentTimings } from './agentOptions.js';
import { agentStats, type IceAgentStats } from './agentStats.js';
import type { LocalBase } from './base.js';
import type { IceCandidate } from './candidate.js';
import { CheckList } from './checklist.js';
import { onConsentStatus, updateConnectionState } from './connectionState.js';
import { ConsentMonitor } from './consent.js';
import { generateIceParameters, generateTieBreaker, type IceParameters } from './credentials.js';
import type { CandidateGatherer } from './gatherer.js';
import { handleBindingRequest, handleCheckResponse, type CheckContext } from './handlers.js';
import { createGatherer, runGather } from './localGathering.js';
import { MulticastDnsService } from './mdns.js';
import type { CandidatePair, LocalCandidate } from './pair.js';
import { addRemoteCandidate } from './remoteCandidates.js';
import { applyRemoteParameters, restartAgent } from './restart.js';
import { CheckScheduler } from './scheduler.js';
import { selectNominated, selectPair, type PairCredentials } from './selection.js';
import { sourceKey } from './sourceKey.js';
import type { IceAgentEvents, IceAgentOptions, IceConnectionState, IceCounter, IceGatheringState, IceRole, IceTransportPolicy } from './types.js';

/** Datagrams held by send() while no pair is valid yet (a DTLS flight is 1-4 datagrams). */
const MAX_PENDING_SENDS = 16;

export type { PairCredentials } from './selection.js';

/**
 * The ICE agent (RFC 8445, full or lite) for one data stream with one
 * component (rtcp-mux), as a sans-IO core over a Clock and a Network. See
 * docs/ice.md for the lifecycle. This file holds the public API and the data path (send,
 * held datagrams, demux); handlers.ts the STUN request/response processing, localGathering.ts
 * and gatherer.ts the candidate gathering, remoteCandidates.ts trickle and mDNS, restart.ts
 * ICE restarts, selection.ts the selected pair, connectionState.ts the state computation,
 * agentOptions.ts the options, agentStats.ts getStats().
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
  /** @internal */ readonly opts: ResolvedAgentTimings;

  private _state: IceConnectionState = 'new';
  /** @internal */ _gatheringState: IceGatheringState = 'new';
  /** @internal */ _selectedPair: CandidatePair | undefined;
  /** @internal */ selectedCredentials: PairCredentials | undefined;
  private started = false;
  /** Datagrams given to send() before any pair was valid (see send()). */
  private pendingSends: Uint8Array[] = [];
  private writableAnnounced = false;
  private closed = false;
  /** @internal */ remoteEndOfCandidates = false;
  /** @internal Consent expired on the selected pair: 'failed' until restart(). */
  consentLost = false;
  /** @internal The peer changed its ufrag since our last restart (a peer-initiated ICE restart). */
  remoteRestarted = false;
  /** @internal */ pendingMdns = 0;
  /** @internal */ gatheredOnce = false;
  private gathering: Promise<void> | undefined;
  /** @internal */ readonly scheduler = new CheckScheduler(this);
  /** @internal */ readonly consent: ConsentMonitor;
  /** @internal */ readonly gatherer: CandidateGatherer;
  private ownMdns: MulticastDnsService | undefined;

  constructor(/** @internal */ readonly options: IceAgentOptions) {
    super();
    const resolved = resolveAgentOptions(options);
    this.clock = resolved.clock;
    this.network = resolved.network;
    this.policy = resolved.policy;
    this.iceLite = resolved.iceLite;
    this.controlling = resolved.controlling;
    this.opts = resolved.timings;
    this.transactions = new StunTransactionTable(this.clock);
    this.localParameters = generateIceParameters();
    this.consent = new ConsentMonitor(
      this.clock,
      { intervalMs: options.consentIntervalMs, disconnectedMs: options.disconnectedTimeoutMs, failedMs: options.failedTimeoutMs },
      () => this.scheduler.sendConsent(),
      (s) => onConsentStatus(this, s),
    );
    this.gatherer = createGatherer(this, options);
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
    applyRemoteParameters(this, p);
  }

  gather(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('IceAgent.gather: the agent is closed'));
    // Once complete, gathering again happens only through restart() (which resets the state).
    if (this._gatheringState === 'complete') return Promise.resolve();
    this.gathering ??= runGather(this).finally(() => {
      this.gathering = undefined;
    });
    return this.gathering;
  }

  addRemoteCandidate(c: IceCandidate | null): void {
    this.assertOpen('addRemoteCandidate');
    addRemoteCandidate(this, c);
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
    restartAgent(this);
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

  getStats(): IceAgentStats {
    return agentStats(this);
  }

  // ---------------------------------------------------------------- checks

  /** @internal */
  scheduleTick(): void {
    this.scheduler.schedule();
  }

  /** @internal controlled side: select the highest-priority nominated valid pair (§8.1.1, §7.3.1.5) */
  selectNominated(): void {
    selectNominated(this);
  }

  /** @internal */
  selectPair(pair: CandidatePair): void {
    selectPair(this, pair);
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

  /** @internal */
  updateState(): void {
    updateConnectionState(this);
  }

  /** @internal */
  setState(s: IceConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('statechange', s);
  }

  /** @internal */
  setGatheringState(s: IceGatheringState): void {
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

  /** @internal */
  defaultMdns(): MulticastDnsService {
    this.ownMdns ??= new MulticastDnsService(this.clock);
    return this.ownMdns;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new Error(`IceAgent.${what}: the agent is closed`);
  }
}
