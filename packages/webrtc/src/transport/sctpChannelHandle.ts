/** Adapts an @rivulet/sctp SctpDataChannel to the bundle's DataChannelHandle, counting messages for getStats. */
import { TypedEmitter } from '@rivulet/common';
import type { SctpDataChannel } from '@rivulet/sctp';
import type { DataChannelHandle, DataChannelHandleEvents, DataChannelParameters, DataChannelStateValue } from './bundle.js';

export class SctpChannelHandle extends TypedEmitter<DataChannelHandleEvents> implements DataChannelHandle {
  readonly parameters: DataChannelParameters;
  messagesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;

  constructor(private readonly ch: SctpDataChannel) {
    super();
    this.parameters = {
      label: ch.label, protocol: ch.protocol, ordered: ch.ordered, maxPacketLifeTime: ch.maxPacketLifeTime,
      maxRetransmits: ch.maxRetransmits, negotiated: ch.negotiated, id: ch.id, priority: ch.priority,
    };
    ch.on('open', () => this.emit('open'));
    ch.on('message', (data) => {
      this.messagesReceived++;
      this.bytesReceived += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      this.emit('message', data);
    });
    ch.on('bufferedamountlow', () => this.emit('bufferedamountlow'));
    ch.on('closing', () => this.emit('closing'));
    ch.on('close', () => this.emit('close'));
    ch.on('error', (e) => this.emit('error', e));
  }

  get id(): number { return this.ch.id; }
  get readyState(): DataChannelStateValue { return this.ch.readyState; }
  get bufferedAmount(): number { return this.ch.bufferedAmount; }
  get bufferedAmountLowThreshold(): number { return this.ch.bufferedAmountLowThreshold; }
  set bufferedAmountLowThreshold(v: number) { this.ch.bufferedAmountLowThreshold = v; }

  send(data: string | Uint8Array): void {
    this.ch.send(data);
    this.messagesSent++;
    this.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }

  close(): void {
    this.ch.close();
  }
}
