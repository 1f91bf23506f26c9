import type { Clock, Counters, DatagramSocket, Timer, TransportAddress } from '@rivulet/common';
import { StunAttr, StunClass, StunMessage, StunMethod, attr, encodeStun } from '../stun/index.js';
import { encodeChannelData } from './channelData.js';

export type TurnTestServerCounter =
  | 'requests'
  | 'challenged'
  | 'stale-nonce'
  | 'bad-credentials'
  | 'allocations'
  | 'refreshes'
  | 'released'
  | 'expired'
  | 'permissions'
  | 'channel-binds'
  | 'retransmitted-responses'
  | 'relayed-to-peer'
  | 'relayed-to-client'
  | 'dropped-no-permission'
  | 'dropped-no-allocation'
  | 'dropped-malformed'
  | 'keepalives';

/** The server's path back to one client: its UDP 5-tuple or its TCP connection. */
export interface ClientConn {
  readonly key: string;
  readonly remote: TransportAddress;
  readonly reliable: boolean;
  send(bytes: Uint8Array): void;
}

/** RFC 8656 §9 and §12 lifetimes. */
const PERMISSION_LIFETIME_MS = 300_000;
const CHANNEL_LIFETIME_MS = 600_000;

export const tupleKey = (a: { address: string; port: number }) => `${a.address}|${a.port}`;

/**
 * One allocation on the test server: its relay socket, permissions per peer
 * IP (RFC 8656 §9), channels (§12), relaying in both directions (§10, §11)
 * and its expiry timer.
 */
export class ServerAllocation {
  expiresAt = 0;
  private timer: Timer | undefined;
  readonly permissions = new Map<string, number>();
  readonly channels = new Map<number, { peer: TransportAddress; expiresAt: number }>();
  private readonly channelOfPeer = new Map<string, number>();

  constructor(
    readonly client: ClientConn,
    readonly relay: DatagramSocket,
    private readonly clock: Clock,
    private readonly counters: Counters<TurnTestServerCounter>,
  ) {
    relay.onMessage((data, peer) => {
      try {
        this.fromPeer(data, peer);
      } catch {
        counters.inc('dropped-malformed');
      }
    });
  }

  /** (Re)arms expiry; `onExpire` runs if no refresh came in time. */
  setLifetime(seconds: number, onExpire: () => void): void {
    this.timer?.cancel();
    this.expiresAt = this.clock.now() + seconds * 1000;
    this.timer = this.clock.setTimeout(() => {
      if (this.clock.now() >= this.expiresAt) onExpire();
    }, seconds * 1000);
  }

  permit(ip: string): void {
    this.permissions.set(ip, this.clock.now() + PERMISSION_LIFETIME_MS);
  }

  /** RFC 8656 §12.1: false when the channel is bound to another peer or the peer to another channel. */
  bindChannel(channel: number, peer: TransportAddress): boolean {
    const bound = this.channels.get(channel);
    const peerChannel = this.channelOfPeer.get(tupleKey(peer));
    if ((bound && tupleKey(bound.peer) !== tupleKey(peer)) || (peerChannel !== undefined && peerChannel !== channel)) return false;
    this.channels.set(channel, { peer, expiresAt: this.clock.now() + CHANNEL_LIFETIME_MS });
    this.channelOfPeer.set(tupleKey(peer), channel);
    this.permit(peer.address);
    return true;
  }

  /** ChannelData from the client on `channel`. */
  channelToPeer(channel: number, data: Buffer): void {
    const ch = this.channels.get(channel);
    if (!ch || ch.expiresAt <= this.clock.now()) return this.counters.inc('dropped-no-permission');
    this.toPeer(data, ch.peer);
  }

  /** RFC 8656 §10: relay only to peers with an unexpired permission. */
  toPeer(data: Buffer, peer: TransportAddress): void {
    if ((this.permissions.get(peer.address) ?? 0) <= this.clock.now()) return this.counters.inc('dropped-no-permission');
    this.counters.inc('relayed-to-peer');
    this.relay.send(data, peer.port, peer.address);
  }

  /** RFC 8656 §11.3 / §12.6: ChannelData when a channel is bound, else a Data indication. */
  private fromPeer(data: Buffer, from: TransportAddress): void {
    const now = this.clock.now();
    if ((this.permissions.get(from.address) ?? 0) <= now) return this.counters.inc('dropped-no-permission');
    this.counters.inc('relayed-to-client');
    const channel = this.channelOfPeer.get(tupleKey(from));
    if (channel !== undefined && this.channels.get(channel)!.expiresAt > now) {
      this.client.send(encodeChannelData(channel, data, this.client.reliable));
      return;
    }
    const ind = new StunMessage(StunMethod.Data, StunClass.Indication);
    attr.setXorAddress(ind, StunAttr.XorPeerAddress, from);
    attr.setData(ind, data);
    this.client.send(encodeStun(ind));
  }

  close(): void {
    this.timer?.cancel();
    this.relay.close();
  }
}
