import { Counters, type DatagramSocket, type Network, type TransportAddress } from '@rivulet/common';
import { attr } from './attributes.js';
import { StunAttr, StunClass, StunErrorCode, StunMethod } from './constants.js';
import { encodeStun } from './integrity.js';
import { parseStun, type StunDropReason } from './safe.js';

export type StunServerCounter = StunDropReason | 'binding-requests' | 'not-binding-request' | 'unknown-attributes';

/**
 * A minimal STUN server (RFC 8489 §6.3): answers Binding requests with
 * XOR-MAPPED-ADDRESS (and MAPPED-ADDRESS for RFC 3489-era clients), no
 * authentication. Used for server-reflexive candidates over any Network,
 * e.g. the testkit's NATs.
 */
export class StunBindingServer {
  readonly counters = new Counters<StunServerCounter>();

  private constructor(
    private readonly socket: DatagramSocket,
    private readonly software: string | undefined,
  ) {
    socket.onMessage((data, from) => this.onDatagram(data, from));
  }

  static async listen(options: { network: Network; address: string; port?: number; software?: string }): Promise<StunBindingServer> {
    const socket = await options.network.bindUdp({ address: options.address, port: options.port ?? 0 });
    return new StunBindingServer(socket, options.software);
  }

  get address(): TransportAddress {
    return this.socket.localAddress;
  }

  private onDatagram(data: Buffer, from: TransportAddress): void {
    const req = parseStun(data, this.counters);
    if (!req) return;
    if (req.messageClass !== StunClass.Request || req.method !== StunMethod.Binding) {
      // Indications and responses get no answer (RFC 8489 §6.3.2, §6.3.3).
      this.counters.inc('not-binding-request');
      return;
    }
    const fingerprint = req.has(StunAttr.Fingerprint);
    const unknown = req.unknownComprehensionRequired();
    if (unknown.length > 0) {
      this.counters.inc('unknown-attributes');
      const err = req.createResponse(true);
      attr.setErrorCode(err, StunErrorCode.UnknownAttribute, 'Unknown Attribute');
      attr.setUnknownAttributes(err, unknown);
      this.socket.send(encodeStun(err, { fingerprint }), from.port, from.address);
      return;
    }
    this.counters.inc('binding-requests');
    const res = req.createResponse();
    attr.setXorMappedAddress(res, from);
    attr.setMappedAddress(res, from);
    if (this.software) attr.setSoftware(res, this.software);
    this.socket.send(encodeStun(res, { fingerprint }), from.port, from.address);
  }

  close(): void {
    this.socket.close();
  }
}
