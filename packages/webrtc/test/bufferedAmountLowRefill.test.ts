import { expect } from 'chai';
import { openRealChannel, until } from './helpers/peers.js';

describe('RTCDataChannel bufferedamountlow refill (webrtc-pc §6.2, queued task)', function () {
  this.timeout(30000);
  it('a sender that refills on bufferedamountlow up to a high-water mark delivers all 20 000 messages', async () => {
    const { dc, remote, close } = await openRealChannel();
    try {
      const total = 20000;
      let received = 0;
      let lowEvents = 0;
      let lowBelowThreshold = 0;
      remote.onmessage = () => { received++; };
      const payload = new Uint8Array(100);
      let sent = 0;
      const fill = (): void => {
        while (sent < total && dc.bufferedAmount < 65536) { dc.send(payload); sent++; }
      };
      dc.bufferedAmountLowThreshold = 16384;
      dc.onbufferedamountlow = () => {
        lowEvents++;
        // The event's task sees the decreased amount (it was stale before the fix: the refill sent nothing).
        if (dc.bufferedAmount <= 16384) lowBelowThreshold++;
        fill();
      };
      fill();
      await until(() => received === total, 25000, `all ${total} messages (got ${received}, sent ${sent})`);
      expect(sent).to.equal(total);
      expect(lowEvents).to.be.greaterThan(0);
      expect(lowBelowThreshold).to.equal(lowEvents);
    } finally {
      close();
    }
  });
});
