import { expect } from 'chai';
import { FakeClock, nodeNetwork } from '@rivulet/common';
import {
  StunBindingServer,
  StunClass,
  StunErrorCode,
  StunMessage,
  StunMethod,
  StunTimeoutError,
  StunTransactionTable,
  attr,
  encodeStun,
  parseStun,
} from '../../src/stun/index.js';

describe('STUN client transaction (RFC 8489 §6.2.1)', () => {
  it('retransmits at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and times out at 39500 ms', async () => {
    const clock = new FakeClock();
    const table = new StunTransactionTable(clock);
    const sentAt: number[] = [];
    const req = new StunMessage(StunMethod.Binding, StunClass.Request);
    const t = table.start(req, encodeStun(req), () => sentAt.push(clock.now()));
    let error: unknown;
    t.promise.catch((e) => (error = e));
    clock.advance(39_499);
    await Promise.resolve();
    expect(error).to.equal(undefined);
    expect(sentAt).to.deep.equal([0, 500, 1500, 3500, 7500, 15500, 31500]);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(error).to.be.instanceOf(StunTimeoutError);
    expect((error as Error).message).to.match(/7 transmissions \(39500 ms\)/);
    expect(table.size).to.equal(0);
  });

  it('resolves on a matching response, stops retransmitting, ignores unknown transactions', async () => {
    const clock = new FakeClock();
    const table = new StunTransactionTable(clock);
    let sends = 0;
    const req = new StunMessage(StunMethod.Binding, StunClass.Request);
    const t = table.start(req, encodeStun(req), () => sends++, { rto: 100 });
    clock.advance(150);
    expect(sends).to.equal(2);
    const stranger = new StunMessage(StunMethod.Binding, StunClass.SuccessResponse);
    expect(table.handleResponse(stranger)).to.equal(false);
    expect(table.handleResponse(req.createResponse())).to.equal(true);
    const res = await t.promise;
    expect(res.transactionKey).to.equal(req.transactionKey);
    clock.advance(10_000);
    expect(sends).to.equal(2);
    expect(table.handleResponse(req.createResponse())).to.equal(false); // duplicate
  });

  it('maxIntervalMs caps the backoff and backoff:false keeps a fixed RTO', () => {
    const clock = new FakeClock();
    const table = new StunTransactionTable(clock);
    const capped: number[] = [];
    const fixed: number[] = [];
    const r1 = new StunMessage(StunMethod.Binding, StunClass.Request);
    const r2 = new StunMessage(StunMethod.Binding, StunClass.Request);
    table.start(r1, encodeStun(r1), () => capped.push(clock.now()), { maxIntervalMs: 1600 });
    table.start(r2, encodeStun(r2), () => fixed.push(clock.now()), { backoff: false, rc: 4 });
    clock.advance(20_000);
    expect(capped).to.deep.equal([0, 500, 1500, 3100, 4700, 6300, 7900]);
    expect(fixed).to.deep.equal([0, 500, 1000, 1500]);
  });

  it('cancelAll rejects pending transactions', async () => {
    const clock = new FakeClock();
    const table = new StunTransactionTable(clock);
    const req = new StunMessage(StunMethod.Binding, StunClass.Request);
    const t = table.start(req, encodeStun(req), () => {});
    table.cancelAll('agent closed');
    let msg = '';
    await t.promise.catch((e: Error) => (msg = e.message));
    expect(msg).to.match(/cancelled: agent closed/);
  });
});

describe('StunBindingServer over 127.0.0.1', () => {
  it('answers Binding with XOR-MAPPED-ADDRESS of the sender, and 420 for unknown required attributes', async () => {
    const server = await StunBindingServer.listen({ network: nodeNetwork, address: '127.0.0.1', software: 'rivulet-test' });
    const client = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    try {
      const got: StunMessage[] = [];
      client.onMessage((d) => {
        const m = parseStun(d);
        if (m) got.push(m);
      });
      const req = new StunMessage(StunMethod.Binding, StunClass.Request);
      client.send(encodeStun(req, { fingerprint: true }), server.address.port, '127.0.0.1');
      const bad = new StunMessage(StunMethod.Binding, StunClass.Request);
      bad.add(0x7abc, Buffer.from([1, 2, 3, 4]));
      client.send(encodeStun(bad), server.address.port, '127.0.0.1');
      client.send(Buffer.from('not stun at all'), server.address.port, '127.0.0.1');
      const deadline = Date.now() + 3000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const ok = got.find((m) => m.transactionKey === req.transactionKey)!;
      expect(ok.messageClass).to.equal(StunClass.SuccessResponse);
      expect(attr.getXorMappedAddress(ok)).to.deep.equal({ address: '127.0.0.1', port: client.localAddress.port, family: 'IPv4' });
      expect(attr.getSoftware(ok)).to.equal('rivulet-test');
      const err = got.find((m) => m.transactionKey === bad.transactionKey)!;
      expect(err.messageClass).to.equal(StunClass.ErrorResponse);
      expect(attr.getErrorCode(err)!.code).to.equal(StunErrorCode.UnknownAttribute);
      expect(attr.getUnknownAttributes(err)).to.deep.equal([0x7abc]);
      expect(server.counters.get('stun-not-stun')).to.equal(1);
      expect(server.counters.get('binding-requests')).to.equal(1);
    } finally {
      client.close();
      server.close();
    }
  });
});
