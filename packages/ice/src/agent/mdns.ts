import { randomUUID } from 'node:crypto';
import { createLogger, type Clock } from '@rivulet/common';

const log = createLogger('ice:mdns');

/**
 * Resolves `.local` names in remote candidates (draft-ietf-mmusic-mdns-ice-candidates §3.2).
 * Injectable so tests need no multicast.
 */
export interface MdnsResolver {
  /** Resolves to an IP literal, or undefined when the name does not resolve in time. */
  resolve(name: string): Promise<string | undefined>;
}

/** Answers queries for names that hide our host addresses (draft §3.1). */
export interface MdnsResponder {
  register(name: string, address: string): void;
  unregister(name: string): void;
}

/** A fresh random name for a host candidate: a UUIDv4 under `.local` (draft §3.1.1). */
export function generateMdnsName(): string {
  return `${randomUUID()}.local`;
}

/**
 * An in-process name table acting as both resolver and responder, for tests
 * and for agents in one process (both sides of a loopback example).
 */
export class InMemoryMdns implements MdnsResolver, MdnsResponder {
  private readonly names = new Map<string, string>();
  lookups = 0;

  register(name: string, address: string): void {
    this.names.set(name.toLowerCase(), address);
  }

  unregister(name: string): void {
    this.names.delete(name.toLowerCase());
  }

  resolve(name: string): Promise<string | undefined> {
    this.lookups++;
    return Promise.resolve(this.names.get(name.toLowerCase()));
  }
}

/**
 * Real mDNS over the `multicast-dns` package (RFC 6762 one-shot queries on
 * 224.0.0.251:5353). The socket opens on first use; `close()` releases it.
 */
export class MulticastDnsService implements MdnsResolver, MdnsResponder {
  private mdns: import('multicast-dns').MulticastDns | undefined;
  private opening: Promise<import('multicast-dns').MulticastDns | undefined> | undefined;
  private readonly owned = new Map<string, string>();
  private readonly waiters = new Map<string, Array<(address: string) => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 3000,
    /** Creates the mDNS socket; default `multicast-dns` on 224.0.0.251:5353 (tests inject a fake). */
    private readonly factory?: () => import('multicast-dns').MulticastDns,
  ) {}

  private open(): Promise<import('multicast-dns').MulticastDns | undefined> {
    const create = this.factory ? Promise.resolve(this.factory) : import('multicast-dns').then((mod) => () => mod.default({ reuseAddr: true }));
    this.opening ??= create.then(
      (make) => {
        const m = make();
        m.on('error', (e: Error) => log.warn('mdns socket error: %s', e.message));
        m.on('warning', (e: Error) => log.debug('mdns warning: %s', e.message));
        m.on('response', (packet) => {
          for (const rec of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
            if ((rec.type !== 'A' && rec.type !== 'AAAA') || typeof rec.data !== 'string') continue;
            const list = this.waiters.get(rec.name.toLowerCase());
            if (!list) continue;
            this.waiters.delete(rec.name.toLowerCase());
            for (const w of list) w(rec.data);
          }
        });
        m.on('query', (packet) => {
          for (const q of packet.questions ?? []) {
            const address = this.owned.get(q.name.toLowerCase());
            if (!address) continue;
            const type = address.includes(':') ? 'AAAA' : 'A';
            if (q.type !== type && q.type !== 'ANY') continue;
            m.respond({ answers: [{ name: q.name, type, ttl: 120, data: address }] });
          }
        });
        this.mdns = m;
        return m;
      },
      (err: Error) => {
        log.warn('multicast-dns unavailable: %s', err.message);
        return undefined;
      },
    );
    return this.opening;
  }

  register(name: string, address: string): void {
    this.owned.set(name.toLowerCase(), address);
    void this.open();
  }

  unregister(name: string): void {
    this.owned.delete(name.toLowerCase());
  }

  async resolve(name: string): Promise<string | undefined> {
    const key = name.toLowerCase();
    const own = this.owned.get(key);
    if (own) return own;
    const m = await this.open();
    if (!m) return undefined;
    return new Promise((resolve) => {
      let done = false;
      const finish = (a: string | undefined) => {
        if (done) return;
        done = true;
        timer.cancel();
        resolve(a);
      };
      const timer = this.clock.setTimeout(() => {
        const list = this.waiters.get(key);
        if (list) {
          const i = list.indexOf(finish);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) this.waiters.delete(key);
        }
        finish(undefined);
      }, this.timeoutMs);
      const list = this.waiters.get(key) ?? [];
      list.push(finish);
      this.waiters.set(key, list);
      m.query({ questions: [{ name, type: 'A' }, { name, type: 'AAAA' }] });
    });
  }

  close(): void {
    this.mdns?.destroy();
    this.mdns = undefined;
    this.opening = undefined;
  }
}
