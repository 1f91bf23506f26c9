import { expect } from 'chai';
import { DEFAULT_RTSP_RECONNECT, FfmpegSource, reconnectDelayMs, reconnectPolicy } from '@rivulet/media';

describe('RTSP reconnect policy', () => {
  it('true means 500 ms doubling up to 10 s; false or absent means none', () => {
    expect(DEFAULT_RTSP_RECONNECT).to.deep.equal({ initialDelayMs: 500, maxDelayMs: 10_000 });
    expect(reconnectPolicy(true)).to.deep.equal({ initialDelayMs: 500, maxDelayMs: 10_000 });
    expect(reconnectPolicy(false)).to.equal(undefined);
    expect(reconnectPolicy(undefined)).to.equal(undefined);
    const p = reconnectPolicy(true)!;
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => reconnectDelayMs(p, n))).to.deep.equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('custom delays; a maximum below the initial delay defaults up to it', () => {
    const p = reconnectPolicy({ initialDelayMs: 200, maxDelayMs: 700 })!;
    expect([1, 2, 3, 4].map((n) => reconnectDelayMs(p, n))).to.deep.equal([200, 400, 700, 700]);
    expect(reconnectPolicy({ initialDelayMs: 20_000 })).to.deep.equal({ initialDelayMs: 20_000, maxDelayMs: 20_000 });
    expect(reconnectDelayMs(reconnectPolicy({ initialDelayMs: 0 })!, 3)).to.equal(0);
  });

  it('refuses bad delays and attempts with the value', () => {
    expect(() => reconnectPolicy({ initialDelayMs: -1 })).to.throw(TypeError, 'rtsp input reconnect.initialDelayMs must be a number of milliseconds >= 0, got -1');
    expect(() => reconnectPolicy({ initialDelayMs: 1000, maxDelayMs: 500 })).to.throw(TypeError, 'rtsp input reconnect.maxDelayMs must be at least initialDelayMs (1000), got 500');
    expect(() => reconnectDelayMs(reconnectPolicy(true)!, 0)).to.throw(RangeError, 'reconnect attempt must be an integer >= 1, got 0');
    // FfmpegSource validates the input's policy when it is constructed.
    expect(
      () => new FfmpegSource({ input: { type: 'rtsp', url: 'rtsp://192.0.2.1/cam', reconnect: { maxDelayMs: Number.NaN } }, video: { codec: 'H264' } }),
    ).to.throw(TypeError, 'rtsp input reconnect.maxDelayMs must be at least initialDelayMs (500), got NaN');
  });
});

describe('FfmpegSource.start', () => {
  it('a start() that throws leaves the source startable: the second call gives the same error, not "already started"', () => {
    const source = new FfmpegSource({ input: { type: 'alsa', device: 'default' }, video: { codec: 'H264' } });
    expect(() => source.start()).to.throw(TypeError, "input 'alsa' has none of the requested media");
    expect(() => source.start()).to.throw(TypeError, "input 'alsa' has none of the requested media");
    expect(source.running).to.equal(false);
  });
});
