import { expect } from 'chai';
import {
  DEFAULT_RTSP_STALL_TIMEOUT_MS,
  inputArgs,
  redactRtspCredentials,
  rtspEndedError,
  rtspInputArgs,
  rtspTimeoutOption,
  rtspTimeoutOptionFromHelp,
  type RtspInput,
} from '@rivulet/media';
import { existsSync } from 'node:fs';

describe('RTSP input: ffmpeg arguments and end-of-stream errors', () => {
  it('defaults to TCP interleaving and a 5 s stall timeout (ffmpeg -timeout is in microseconds)', () => {
    expect(DEFAULT_RTSP_STALL_TIMEOUT_MS).to.equal(5000);
    expect(rtspInputArgs({ type: 'rtsp', url: 'rtsp://192.0.2.1/cam' })).to.deep.equal([
      '-rtsp_transport', 'tcp', '-timeout', '5000000', '-i', 'rtsp://192.0.2.1/cam',
    ]);
    expect(inputArgs({ type: 'rtsp', url: 'rtsps://192.0.2.1:322/cam', transport: 'udp', stallTimeoutMs: 1500 }).args).to.deep.equal([
      '-rtsp_transport', 'udp', '-timeout', '1500000', '-i', 'rtsps://192.0.2.1:322/cam',
    ]);
  });

  it("an ffmpeg before 5.0 gets -stimeout (its -timeout would make it listen); one with neither option gets none", () => {
    expect(rtspInputArgs({ type: 'rtsp', url: 'rtsp://192.0.2.1/cam' }, '-stimeout')).to.deep.equal([
      '-rtsp_transport', 'tcp', '-stimeout', '5000000', '-i', 'rtsp://192.0.2.1/cam',
    ]);
    expect(inputArgs({ type: 'rtsp', url: 'rtsp://192.0.2.1/cam' }, { rtspTimeoutOption: null }).args).to.deep.equal([
      '-rtsp_transport', 'tcp', '-i', 'rtsp://192.0.2.1/cam',
    ]);
  });

  it("reads the socket timeout option from the RTSP demuxer's help of ffmpeg 5.1 and 4.1", () => {
    // Lines as `ffmpeg -h demuxer=rtsp` prints them (Debian 12's 5.1.9; the 2018 static 4.1 build npm's @ffmpeg-installer ships).
    const v51 = [
      '  -listen_timeout    <int>        .D......... set maximum timeout (in seconds) to wait for incoming connections (-1 is infinite, imply flag listen) (from INT_MIN to INT_MAX) (default -1)',
      '  -timeout           <int64>      .D......... set timeout (in microseconds) of socket I/O operations (from INT_MIN to I64_MAX) (default 0)',
    ].join('\n');
    const v41 = [
      '  -listen_timeout    <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections (-1 is infinite, imply flag listen) (from INT_MIN to INT_MAX) (default -1)',
      '  -timeout           <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections (-1 is infinite, imply flag listen) (deprecated, use listen_timeout) (from INT_MIN to INT_MAX) (default -1)',
      '  -stimeout          <int>        .D....... set timeout (in microseconds) of socket TCP I/O operations (from INT_MIN to INT_MAX) (default 0)',
    ].join('\n');
    expect(rtspTimeoutOptionFromHelp(v51)).to.equal('-timeout');
    expect(rtspTimeoutOptionFromHelp(v41)).to.equal('-stimeout');
    expect(rtspTimeoutOptionFromHelp('Unknown format "rtsp".')).to.equal(undefined);
  });

  it('asks the installed ffmpeg (5.x here: -timeout), and gives none for a binary that does not run', function () {
    if (!existsSync('/usr/bin/ffmpeg')) {
      if (process.env['CI'] === 'true') throw new Error('/usr/bin/ffmpeg not found: apt-get install ffmpeg');
      this.skip();
    }
    expect(rtspTimeoutOption('/usr/bin/ffmpeg')).to.equal('-timeout');
    expect(rtspTimeoutOption('/nonexistent/ffmpeg')).to.equal(undefined);
  });

  it('refuses a bad URL, transport or timeout with the offending value (password redacted)', () => {
    expect(() => rtspInputArgs({ type: 'rtsp', url: 'http://u:pw@192.0.2.1/cam' })).to.throw(TypeError, "rtsp input needs an rtsp:// URL, got 'http://u:***@192.0.2.1/cam'");
    const bad = { type: 'rtsp', url: 'rtsp://192.0.2.1/cam', transport: 'http' } as unknown as RtspInput;
    expect(() => rtspInputArgs(bad)).to.throw(TypeError, "rtsp input transport must be 'tcp' or 'udp', got 'http'");
    expect(() => rtspInputArgs({ type: 'rtsp', url: 'rtsp://192.0.2.1/cam', stallTimeoutMs: 0 })).to.throw(
      TypeError,
      'rtsp input stallTimeoutMs must be a positive number of milliseconds, got 0',
    );
    expect(() => rtspInputArgs({ type: 'rtsp', url: 'rtsp://192.0.2.1/cam', stallTimeoutMs: Number.NaN })).to.throw(TypeError, 'got NaN');
  });

  it('redacts the password of every rtsp:// URL in a text, and nothing else', () => {
    expect(redactRtspCredentials('rtsp://admin:s3cr%40t@192.0.2.1:554/live: Server returned 401 Unauthorized')).to.equal(
      'rtsp://admin:***@192.0.2.1:554/live: Server returned 401 Unauthorized',
    );
    expect(redactRtspCredentials('a rtsps://u:p@h/x and rtsp://v:q@[2001:db8::1]:8554/y')).to.equal('a rtsps://u:***@h/x and rtsp://v:***@[2001:db8::1]:8554/y');
    // No credentials: unchanged, including a port and an @ later in the path.
    expect(redactRtspCredentials('rtsp://192.0.2.1:554/a@b')).to.equal('rtsp://192.0.2.1:554/a@b');
    expect(redactRtspCredentials('rtsp://user@192.0.2.1/cam')).to.equal('rtsp://user@192.0.2.1/cam');
  });

  describe('rtspEndedError', () => {
    const input: RtspInput = { type: 'rtsp', url: 'rtsp://cam:pw@192.0.2.1:8554/live', stallTimeoutMs: 3000 };

    it('a clean ffmpeg exit with nothing printed: the server closed the connection', () => {
      expect(rtspEndedError(input, undefined, '').message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: the server closed the connection or ended the session',
      );
    });

    it('a socket timeout: the server stalled for the configured time', () => {
      const e = rtspEndedError(input, undefined, 'rtsp://cam:pw@192.0.2.1:8554/live: Connection timed out');
      expect(e.message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: no data from the server for 3000 ms (stalled): rtsp://cam:***@192.0.2.1:8554/live: Connection timed out',
      );
    });

    it("ffmpeg's own error is kept, with the password redacted", () => {
      const exit = new Error('ffmpeg exited with 1: rtsp://cam:pw@192.0.2.1:8554/live: Server returned 401 Unauthorized (authorization failed)');
      expect(rtspEndedError(input, exit, 'ignored').message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: ffmpeg exited with 1: rtsp://cam:***@192.0.2.1:8554/live: Server returned 401 Unauthorized (authorization failed)',
      );
    });

    it("the muxer's duplicate-timestamp complaints are not a reason", () => {
      const noise = '[h264 @ 0x55] Application provided invalid, non monotonically increasing dts to muxer in stream 0: 25 >= 25';
      expect(rtspEndedError(input, undefined, `${noise}\n${noise}`).message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: the server closed the connection or ended the session',
      );
      expect(rtspEndedError(input, undefined, `${noise}\nrtsp://cam:pw@192.0.2.1:8554/live: Connection timed out`).message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: no data from the server for 3000 ms (stalled): rtsp://cam:***@192.0.2.1:8554/live: Connection timed out',
      );
    });

    it('a reset connection is the server closing it, with what ffmpeg said', () => {
      expect(rtspEndedError(input, undefined, 'rtsp://cam:pw@192.0.2.1:8554/live: Connection reset by peer').message).to.equal(
        'RTSP source rtsp://cam:***@192.0.2.1:8554/live ended: the server closed the connection or ended the session: rtsp://cam:***@192.0.2.1:8554/live: Connection reset by peer',
      );
    });

    it('other output on a clean exit is reported as what ffmpeg said', () => {
      expect(rtspEndedError({ type: 'rtsp', url: 'rtsp://h/x' }, undefined, 'Invalid data found').message).to.equal(
        'RTSP source rtsp://h/x ended: ffmpeg stopped: Invalid data found',
      );
    });
  });
});
