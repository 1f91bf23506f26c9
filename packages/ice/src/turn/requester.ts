import type { Clock, Counters, TransportAddress } from '@rivulet/common';
import {
  StunAttr,
  StunClass,
  StunErrorCode,
  StunMessage,
  StunTimeoutError,
  StunTransactionTable,
  attr,
  decodeAddress,
  encodeStun,
  type TransactionOptions,
} from '../stun/index.js';
import { LongTermCredentials } from './auth.js';
import type { TurnTransport } from './transport.js';
import { TurnError, type TurnCounter } from './types.js';

const METHOD_NAMES: Record<number, string> = {
  0x003: 'Allocate',
  0x004: 'Refresh',
  0x008: 'CreatePermission',
  0x009: 'ChannelBind',
};

/** How many challenge rounds (401 then 438s) one request may go through. */
const MAX_ATTEMPTS = 4;

/**
 * Sends authenticated TURN requests (RFC 8656 §6–§11) as STUN client
 * transactions: retransmitted over UDP, sent once over TCP, answered by a
 * 401 challenge first and re-signed after a 438 stale nonce.
 */
export class TurnRequester {
  private readonly transactions: TransactionTableLike;

  constructor(
    private readonly transport: TurnTransport,
    readonly credentials: LongTermCredentials,
    clock: Clock,
    private readonly counters: Counters<TurnCounter>,
    private readonly serverLabel: string,
    private readonly rtoMs: number,
  ) {
    this.transactions = new StunTransactionTable(clock);
  }

  /**
   * Runs one request to a success response. Rejects with a TurnError that
   * names the method, the server and the code/reason or the timeout.
   */
  async request(method: number, addAttributes: (m: StunMessage) => void, retries?: Partial<TransactionOptions>): Promise<StunMessage> {
    const name = METHOD_NAMES[method] ?? `method 0x${method.toString(16)}`;
    let signedWithFreshChallenge = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const message = new StunMessage(method, StunClass.Request);
      addAttributes(message);
      const signed = this.credentials.ready;
      const bytes = signed ? this.credentials.sign(message) : encodeStun(message, { fingerprint: true });
      const options: TransactionOptions = { rto: this.rtoMs, reliable: this.transport.reliable, ...retries };
      let response: StunMessage;
      try {
        response = await this.transactions.start(message, bytes, (b) => this.transport.send(b), options).promise;
      } catch (err) {
        if (err instanceof StunTimeoutError) {
          throw new TurnError(
            `TURN ${name} to ${this.serverLabel} timed out after ${err.transmissions} transmissions (${Math.round(err.elapsedMs)} ms): ` +
              'is the server reachable on that address, port and transport?',
          );
        }
        throw new TurnError(`TURN ${name} to ${this.serverLabel} aborted: ${(err as Error).message}`);
      }
      if (response.messageClass === StunClass.SuccessResponse) return response;
      let error: { code: number; reason: string } | undefined;
      try {
        error = attr.getErrorCode(response);
      } catch {
        error = undefined;
      }
      if (!error) throw new TurnError(`TURN ${name} to ${this.serverLabel} failed with an error response without a valid ERROR-CODE`);
      const { code, reason } = error;
      if (code === StunErrorCode.Unauthorized && !(signed && signedWithFreshChallenge)) {
        // RFC 8489 §9.2.4: the first 401 is the challenge; sign and try again.
        if (this.credentials.challenge(response, code) === 'retry') {
          signedWithFreshChallenge = true;
          continue;
        }
      }
      if (code === StunErrorCode.StaleNonce && this.credentials.challenge(response, code) === 'retry') {
        // RFC 8489 §9.2.5: stale nonce: retry with the new one.
        this.counters.inc('stale-nonce-retries');
        signedWithFreshChallenge = true;
        continue;
      }
      if (code === StunErrorCode.Unauthorized) {
        throw new TurnError(
          `TURN ${name} to ${this.serverLabel} rejected the credentials of user "${this.credentials.username}" ` +
            `in realm "${this.credentials.realm ?? '?'}" (401 ${reason}): check the username and credential`,
          code,
        );
      }
      if (code === StunErrorCode.TryAlternate) {
        let alternate: TransportAddress | undefined;
        try {
          const v = response.get(StunAttr.AlternateServer);
          alternate = v && decodeAddress(v);
        } catch {
          alternate = undefined;
        }
        const where = alternate ? ` to ${alternate.address}:${alternate.port}` : ' without a valid ALTERNATE-SERVER';
        throw new TurnError(`TURN ${name} to ${this.serverLabel} redirected${where} (300 ${reason})`, code, alternate);
      }
      throw new TurnError(`TURN ${name} to ${this.serverLabel} failed: ${code} ${reason}`, code);
    }
    throw new TurnError(`TURN ${name} to ${this.serverLabel} failed: still challenged after ${MAX_ATTEMPTS} attempts (401/438 loop)`);
  }

  /**
   * Hands a response to its transaction. Success responses to signed
   * requests must carry valid MESSAGE-INTEGRITY (RFC 8489 §9.2.5), otherwise
   * they are dropped so a forged answer cannot complete the transaction.
   */
  handleResponse(response: StunMessage): void {
    if (!this.transactions.get(response.transactionKey)) {
      this.counters.inc('unknown-transaction');
      return;
    }
    if (response.messageClass === StunClass.SuccessResponse && this.credentials.ready && !this.credentials.verify(response)) {
      this.counters.inc('bad-integrity');
      return;
    }
    this.transactions.handleResponse(response);
  }

  cancelAll(reason: string): void {
    this.transactions.cancelAll(reason);
  }
}

type TransactionTableLike = Pick<StunTransactionTable, 'start' | 'get' | 'handleResponse' | 'cancelAll'>;
