// Minimal typing for the parts of `multicast-dns` (no bundled types) that mdns.ts uses.
declare module 'multicast-dns' {
  export interface MdnsRecord {
    name: string;
    type: string;
    ttl?: number;
    data?: unknown;
  }
  export interface MdnsPacket {
    questions?: Array<{ name: string; type: string }>;
    answers?: MdnsRecord[];
    additionals?: MdnsRecord[];
  }
  export interface MulticastDns {
    on(event: 'response' | 'query', listener: (packet: MdnsPacket) => void): void;
    on(event: 'error' | 'warning', listener: (err: Error) => void): void;
    removeListener(event: string, listener: (...args: never[]) => void): void;
    query(q: { questions: Array<{ name: string; type: string }> }): void;
    respond(r: { answers: MdnsRecord[] }): void;
    destroy(cb?: () => void): void;
  }
  function multicastDns(options?: Record<string, unknown>): MulticastDns;
  export default multicastDns;
}
