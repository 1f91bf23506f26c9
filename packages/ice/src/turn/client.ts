import { Counters, reportError, type Clock, type TransportAddress } from '@rivulet/common';
import { StunAttr, StunClass, StunMethod, StunMessage, attr, encodeStun, parseStun, type StunDropReason } from '../stun/index.js';
import { LongTermCredentials } from './auth.js';
import { encodeChannelData, isChannelData, parseChannelData } from './channelData.js';
import { connectTurnServer, tryAlternate } from './connect.js';
import { IdleKeepalive } from './keepalive.js';
import { AllocationLifetime } from './lifetime.js';
import { CanonicalIpCache, PeerTable, canonicalIp } from './peers.js';
import { TurnRequester } from './requester.js';
import type { TurnTransport } from './transport.js';
import { validateAllocateOptions, validateSend } from './validate.js';
import { TurnError, type AllocateTurnOptions, type TurnAllocation, type TurnCounter, type TurnState } from './types.js';

/** RFC 8656 §18.11: REQUESTED-TRANSPORT protocol number for UDP relaying. */
const PROTOCOL_UDP = 17;
/** How long close() waits for the releasing Refresh before closing anyway. */
const RELEASE_WAIT_MS = 5_000;
/** Idle time after which a keepalive goes to the server over UDP (see keepalive.ts). */
const DEFAULT_KEEPALIVE_MS = 15_000;

/**
 * One TURN allocation (RFC 8656) over its own UDP socket or TCP connection:
 * Allocate with long-term credentials, Refresh before expiry, permissions
 * and channels per peer, Send/Data indications and ChannelData.
 */
export class TurnClient implements TurnAllocation {
  readonly counters = new Counters<TurnCounter>();
  /** STUN-level drops of messages from the server (not-stun, malformed, bad fingerprint). */
  readonly stunCounters = new Counters<StunDropReason>();
  relayedAddress!: TransportAddress;
  mappedAddress!: TransportAddress;
  private stateValue: TurnState | 'allocating' = 'allocating';
  private readonly requester: TurnRequester;
  private readonly peers: PeerTable;
  private readonly dataHandlers: Array<(data: Buffer, from: TransportAddress) => void> = [];
  private readonly stateHandlers: Array<(state: TurnState, error?: Error) => void> = [];
  private readonly lifetime: AllocationLifetime;
  private readonly keepalive: IdleKeepalive;
  private readonly relayFamily: 'IPv4' | 'IPv6' | undefined;
  private readonly canonicalIps = new CanonicalIpCache();
  /** Set once close() starts: no more sends, deliveries or state changes but 'closed'. */
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly transport: TurnTransport,
    private readonly clock: Clock,
    readonly serverLabel: string,
    options: AllocateTurnOptions,
  ) {
    this.relayFamily = options.relayFamily;
    this.keepalive = new IdleKeepalive(clock, options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS, () => {
      this.transport.send(encodeStun(new StunMessage(StunMethod.Binding, StunClass.Indication), { fingerprint: true }));
      this.counters.inc('keepalives');
    });
    // Every message to the server counts as activity for the keepalive.
    const raw = transport.send.bind(transport);
    transport.send = (m: Uint8Array) => {
      this.keepalive.activity();
      raw(m);
    };
    const credentials = new LongTermCredentials(options.server.username, options.server.credential);
    this.requester = new TurnRequester(transport, credentials, clock, this.counters, serverLabel, options.rtoMs ?? 500);
    this.peers = new PeerTable(clock, this.requester, this.counters, options.channelBinding ?? true, (d, p) => this.sendIndication(d, p));
    this.lifetime = new AllocationLifetime(
      clock,
      this.requester,
      this.counters,
      options.lifetimeSeconds ?? 600,
      serverLabel,
      () => this.stateValue === 'allocated' && !this.closing,
      (error) => this.fail(error),
    );
    transport.onMessage((m) => this.receive(m));
    transport.onDrop((reason) => this.counters.inc(reason));
    transport.onClose((error) => this.fail(new TurnError(`TURN connection to ${serverLabel} lost: ${error.message}`)));
  }

  /**
   * Opens the transport and allocates; rejects with a TurnError saying what
   * went wrong. A 300 Try Alternate is followed once (RFC 8489 §10), to an
   * address of the same family.
   */
  static async allocate(options: AllocateTurnOptions): Promise<TurnClient> {
    validateAllocateOptions(options);
    try {
      return await TurnClient.allocateAt(options);
    } catch (err) {
      const alternate = tryAlternate(err, options.server);
      if (!alternate) throw err;
      return TurnClient.allocateAt({ ...options, server: alternate });
    }
  }

  private static async allocateAt(options: AllocateTurnOptions): Promise<TurnClient> {
    const { transport, label } = await connectTurnServer(options);
    const client = new TurnClient(transport, options.clock, label, options);
    try {
      await client.allocateNow();
    } catch (err) {
      client.dispose();
      throw err;
    }
    return client;
  }

  get state(): TurnState {
    // Before Allocate completes the object is not handed out, so 'allocating' is never observed.
    return this.stateValue === 'allocating' ? 'failed' : this.stateValue;
  }

  private async allocateNow(): Promise<void> {
    const response = await this.requester.request(StunMethod.Allocate, (m) => {
      attr.setRequestedTransport(m, PROTOCOL_UDP);
      if (this.relayFamily) attr.setRequestedAddressFamily(m, this.relayFamily);
      attr.setLifetime(m, this.lifetime.requestedSeconds);
    });
    let relayed: TransportAddress | undefined;
    let mapped: TransportAddress | undefined;
    try {
      relayed = attr.getXorAddress(response, StunAttr.XorRelayedAddress);
      mapped = attr.getXorMappedAddress(response);
    } catch (err) {
      throw new TurnError(`TURN Allocate to ${this.serverLabel}: malformed address in the success response: ${(err as Error).message}`);
    }
    if (!relayed) throw new TurnError(`TURN Allocate to ${this.serverLabel}: success response without XOR-RELAYED-ADDRESS`);
    if (!mapped) throw new TurnError(`TURN Allocate to ${this.serverLabel}: success response without XOR-MAPPED-ADDRESS`);
    this.relayedAddress = relayed;
    this.mappedAddress = mapped;
    this.stateValue = 'allocated';
    this.lifetime.granted(response);
    if (!this.transport.reliable) this.keepalive.start();
  }

  /** The channel number bound to `peer` (RFC 8656 §12), or undefined while data goes by Send indication. */
  channelFor(peer: TransportAddress): number | undefined {
    let address: string;
    try {
      address = canonicalIp(peer.address);
    } catch {
      return undefined;
    }
    return this.peers.boundChannel({ address, port: peer.port, family: peer.family })?.number;
  }

  /** This allocation's own socket (UDP) or connection (TCP) address on the client. */
  get localAddress(): TransportAddress {
    return this.transport.localAddress;
  }

  /** Seconds granted by the server's last Allocate/Refresh response. */
  get lifetimeSeconds(): number {
    return this.lifetime.seconds;
  }

  /** Clock time (ms) at which the allocation expires unless refreshed. */
  get expiresAtMs(): number {
    return this.lifetime.expiresAt;
  }

  send(data: Uint8Array, peer: TransportAddress): void {
    validateSend(data, peer);
    const address = this.canonicalIps.get(peer.address);
    if (address === undefined) {
      throw new TypeError(`TurnAllocation.send: peer address must be an IP literal, got ${JSON.stringify(peer.address)}`);
    }
    if (this.stateValue !== 'allocated' || this.closing) {
      this.counters.inc('send-not-allocated');
      return;
    }
    const target: TransportAddress = address === peer.address ? peer : { address, port: peer.port, family: address.includes(':') ? 'IPv6' : 'IPv4' };
    const channel = this.peers.boundChannel(target);
    if (channel) {
      // RFC 8656 §12.5: ChannelData, padded to 4 bytes over a stream.
      this.transport.send(encodeChannelData(channel.number, data, this.transport.reliable));
      this.counters.inc('sent-channel-data');
      return;
    }
    this.peers.send(data, target);
  }

  /** RFC 8656 §11.1: a Send indication (unauthenticated by design). */
  private sendIndication(data: Uint8Array, peer: TransportAddress): void {
    if (this.stateValue !== 'allocated' || this.closing) return;
    const m = new StunMessage(StunMethod.Send, StunClass.Indication);
    attr.setXorAddress(m, StunAttr.XorPeerAddress, peer);
    attr.setData(m, data);
    this.transport.send(encodeStun(m));
    this.counters.inc('sent-send-indication');
  }

  onData(handler: (data: Buffer, from: TransportAddress) => void): void {
    this.dataHandlers.push(handler);
  }

  onStateChange(handler: (state: TurnState, error?: Error) => void): void {
    this.stateHandlers.push(handler);
  }

  /** Every message from the server. Never throws: malformed input is counted and dropped. */
  private receive(message: Buffer): void {
    try {
      this.dispatch(message);
    } catch {
      this.counters.inc('malformed');
    }
  }

  private dispatch(message: Buffer): void {
    if (isChannelData(message)) {
      const cd = parseChannelData(message);
      if (!cd) return this.counters.inc('malformed');
      const peer = this.peers.receivePeer(cd.channel);
      if (!peer) return this.counters.inc('unknown-channel');
      this.counters.inc('received-channel-data');
      return this.deliver(cd.data, peer);
    }
    const msg = parseStun(message, this.stunCounters);
    if (!msg) return this.counters.inc('malformed');
    if (msg.isResponse) return this.requester.handleResponse(msg);
    if (msg.isIndication && msg.method === StunMethod.Data) {
      // RFC 8656 §11.6: XOR-PEER-ADDRESS and DATA are both required.
      const from = attr.getXorAddress(msg, StunAttr.XorPeerAddress);
      const data = attr.getData(msg);
      if (!from || !data) return this.counters.inc('malformed');
      this.counters.inc('received-data-indication');
      return this.deliver(data, from);
    }
    this.counters.inc('unexpected-stun');
  }

  private deliver(data: Buffer, from: TransportAddress): void {
    if (this.stateValue !== 'allocated' || this.closing) return;
    for (const h of this.dataHandlers) {
      try {
        h(data, from);
      } catch (err) {
        reportError(err, `TURN onData handler (${this.serverLabel})`);
      }
    }
  }

  private setState(state: TurnState, error?: Error): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const h of this.stateHandlers) {
      try {
        h(state, error);
      } catch (err) {
        reportError(err, `TURN onStateChange handler (${this.serverLabel})`);
      }
    }
  }

  private fail(error: Error): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed' || this.closing) return;
    if (this.stateValue === 'allocating') {
      // Allocate is still running: abort it so allocate() rejects now rather than after its timeout.
      this.requester.cancelAll(error.message);
      return;
    }
    this.stopTimers();
    this.requester.cancelAll(error.message);
    this.transport.close();
    this.setState('failed', error);
  }

  close(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const wasAllocated = this.stateValue === 'allocated';
    this.stopTimers();
    if (wasAllocated && !(await this.lifetime.release(RELEASE_WAIT_MS))) this.counters.inc('release-failed');
    this.requester.cancelAll('allocation closed');
    this.transport.close();
    this.setState('closed');
  }

  private stopTimers(): void {
    this.lifetime.stop();
    this.keepalive.stop();
    this.peers.stop();
  }

  private dispose(): void {
    this.stopTimers();
    this.requester.cancelAll('allocation failed');
    this.transport.close();
  }
}

/** Allocates a relayed address on a TURN server (RFC 8656 §7). */
export function allocateTurn(options: AllocateTurnOptions): Promise<TurnAllocation> {
  return TurnClient.allocate(options);
}

