import type { Clock, Counters, Timer, TransportAddress } from '@rivulet/common';
import { StunAttr, StunMethod, attr, bytesToIp, ipToBytes } from '../stun/index.js';
import { MAX_CHANNEL, MIN_CHANNEL } from './channelData.js';
import type { TurnRequester } from './requester.js';
import type { TurnCounter } from './types.js';

/** RFC 8656 §9: permissions last 300 s; refresh every 4 min so one never lapses. */
export const PERMISSION_REFRESH_MS = 240_000;
/** RFC 8656 §12: channel bindings last 600 s; re-bind at half-life. */
export const CHANNEL_REFRESH_MS = 300_000;
/** After a failed CreatePermission, sends to that IP are dropped this long before retrying. */
const PERMISSION_RETRY_MS = 5_000;
/** Packets held per peer IP while its permission is being created. */
const MAX_QUEUED = 64;

interface Permission {
  installed: boolean;
  failedUntil: number;
  queue: Array<{ data: Uint8Array; peer: TransportAddress }>;
  timer: Timer | undefined;
}

export interface Channel {
  readonly number: number;
  readonly peer: TransportAddress;
  bound: boolean;
  timer: Timer | undefined;
}

/** Canonical text of an IP literal, so "::1" and "0::1" are one peer. */
export function canonicalIp(address: string): string {
  return bytesToIp(ipToBytes(address));
}

/** canonicalIp() behind a bounded cache: send() is the hot path and ICE talks to a handful of peers. */
export class CanonicalIpCache {
  private readonly cache = new Map<string, string>();

  /** The canonical form of `address`, or undefined when it is not an IP literal. */
  get(address: string): string | undefined {
    const hit = this.cache.get(address);
    if (hit !== undefined) return hit;
    let c: string;
    try {
      c = canonicalIp(address);
    } catch {
      return undefined;
    }
    if (this.cache.size >= 256) this.cache.clear();
    this.cache.set(address, c);
    return c;
  }
}

export function peerKey(peer: { address: string; port: number }): string {
  return `${peer.address}|${peer.port}`;
}

/**
 * Permissions (RFC 8656 §9) per peer IP and channel bindings (§12) per peer
 * transport address, with their refresh timers.
 */
export class PeerTable {
  private readonly permissions = new Map<string, Permission>();
  private readonly channelsByPeer = new Map<string, Channel>();
  private readonly channelsByNumber = new Map<number, Channel>();
  /** Every channel we have asked the server to bind, kept for receiving (see receivePeer). */
  private readonly requestedChannels = new Map<number, TransportAddress>();
  private nextChannel = MIN_CHANNEL;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly requester: TurnRequester,
    private readonly counters: Counters<TurnCounter>,
    private readonly channelBinding: boolean,
    /** Sends one packet via a Send indication (the permission exists). */
    private readonly sendIndication: (data: Uint8Array, peer: TransportAddress) => void,
  ) {}

  /** A bound channel for this peer, if any. */
  boundChannel(peer: TransportAddress): Channel | undefined {
    const c = this.channelsByPeer.get(peerKey(peer));
    return c?.bound ? c : undefined;
  }

  channelByNumber(n: number): Channel | undefined {
    const c = this.channelsByNumber.get(n);
    return c?.bound ? c : undefined;
  }

  /**
   * The peer behind a channel number for data the server relays to us.
   * RFC 8656 §12.2: the client must accept ChannelData on a channel as soon
   * as it has sent the ChannelBind request — over UDP the server's data can
   * overtake (or outlive the loss of) the success response.
   */
  receivePeer(n: number): TransportAddress | undefined {
    return this.requestedChannels.get(n);
  }

  /** Sends through the permission for `peer.address`, creating it (and a channel) as needed. */
  send(data: Uint8Array, peer: TransportAddress): void {
    let p = this.permissions.get(peer.address);
    if (p && !p.installed && p.failedUntil > this.clock.now()) {
      this.counters.inc('dropped-no-permission');
      return;
    }
    if (!p || (!p.installed && p.failedUntil > 0)) {
      p = { installed: false, failedUntil: 0, queue: [], timer: undefined };
      this.permissions.set(peer.address, p);
      this.createPermission(peer.address, p);
    }
    if (!p.installed) {
      if (p.queue.length >= MAX_QUEUED) {
        p.queue.shift();
        this.counters.inc('queue-overflow');
      }
      // Copy: the caller may reuse its buffer before the permission arrives.
      p.queue.push({ data: Buffer.from(data), peer });
      return;
    }
    this.sendIndication(data, peer);
    this.maybeBindChannel(peer);
  }

  private createPermission(ip: string, p: Permission): void {
    this.counters.inc('permission-requests');
    this.requester
      .request(StunMethod.CreatePermission, (m) => attr.setXorAddress(m, StunAttr.XorPeerAddress, { address: ip, port: 0 }))
      .then(
        () => {
          if (this.stopped || this.permissions.get(ip) !== p) return;
          const wasInstalled = p.installed;
          p.installed = true;
          p.timer?.cancel();
          p.timer = this.clock.setTimeout(() => this.createPermission(ip, p), PERMISSION_REFRESH_MS);
          if (!wasInstalled) {
            const queued = p.queue;
            p.queue = [];
            for (const q of queued) {
              this.sendIndication(q.data, q.peer);
              this.maybeBindChannel(q.peer);
            }
          }
        },
        () => {
          if (this.stopped || this.permissions.get(ip) !== p) return;
          this.counters.inc('permission-failed');
          p.timer?.cancel();
          p.timer = undefined;
          p.installed = false;
          p.failedUntil = this.clock.now() + PERMISSION_RETRY_MS;
          this.counters.inc('dropped-no-permission', p.queue.length);
          p.queue = [];
        },
      );
  }

  private maybeBindChannel(peer: TransportAddress): void {
    if (!this.channelBinding || this.stopped) return;
    const key = peerKey(peer);
    if (this.channelsByPeer.has(key)) return;
    if (this.nextChannel > MAX_CHANNEL) return; // all 4096 numbers used: stay on Send indications
    const channel: Channel = { number: this.nextChannel++, peer, bound: false, timer: undefined };
    this.channelsByPeer.set(key, channel);
    this.channelsByNumber.set(channel.number, channel);
    this.requestedChannels.set(channel.number, peer);
    this.bindChannel(channel);
  }

  private bindChannel(channel: Channel): void {
    this.counters.inc('channel-binds');
    this.requester
      .request(StunMethod.ChannelBind, (m) => {
        attr.setChannelNumber(m, channel.number);
        attr.setXorAddress(m, StunAttr.XorPeerAddress, channel.peer);
      })
      .then(
        () => {
          if (this.stopped || this.channelsByNumber.get(channel.number) !== channel) return;
          channel.bound = true;
          channel.timer?.cancel();
          channel.timer = this.clock.setTimeout(() => this.bindChannel(channel), CHANNEL_REFRESH_MS);
        },
        () => {
          if (this.stopped) return;
          // The number is retired and the peer stays on Send indications (no retry storm).
          this.counters.inc('channel-bind-failed');
          channel.timer?.cancel();
          channel.bound = false;
          this.channelsByNumber.delete(channel.number);
        },
      );
  }

  /** Cancels every refresh timer and drops queued packets. */
  stop(): void {
    this.stopped = true;
    for (const p of this.permissions.values()) {
      p.timer?.cancel();
      p.queue = [];
    }
    for (const c of this.channelsByPeer.values()) c.timer?.cancel();
  }
}
