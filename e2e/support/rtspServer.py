#!/usr/bin/python3
"""A real RTSP server we did not write, for the e2e tests: GStreamer's
gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0) driven through PyGObject.

Started by e2e/support/rtspServer.ts with one JSON argument:
  {"port": 0, "mounts": [{"path": "/cam", "protocols": "tcp"|"udp"|"any",
   "width": 320, "height": 240, "fps": 25, "gop": 25, "audio": false}],
   "auth": {"method": "basic"|"digest", "user": "u", "password": "p"} | null,
   "tls": {"certPem": "...", "keyPem": "..."} | null,
   "sessionTimeout": 60}

It prints one line per event on stdout, which the tests read:
  READY <port>                   listening on 127.0.0.1:<port>
  REQ <client> <METHOD> <session|->   an RTSP request the server accepted
  TRANSPORT <client> TCP|UDP     the lower transport a SETUP chose
  SESSION-REMOVED <session>      the session pool dropped a session (timeout or TEARDOWN)
  AUTH <client> Basic|Digest     the scheme of an accepted DESCRIBE's Authorization header
  CLOSED <client>                a client's control connection closed
"""
import json
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
cfg = json.loads(sys.argv[1])


def emit(*words):
    print(' '.join(str(w) for w in words), flush=True)


PROTOCOLS = {
    'tcp': GstRtsp.RTSPLowerTrans.TCP,
    'udp': GstRtsp.RTSPLowerTrans.UDP,
    'any': GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP,
}


def launch_line(m):
    # A live camera: x264 without B-frames, an IDR every `gop` frames, and
    # (config-interval=-1) SPS/PPS in band before every IDR as most IP cameras send them.
    # One slice per picture (sliced-threads=false): with sliced threads the payloader repeats
    # SPS/PPS before each IDR slice, between slices of one picture (not allowed by H.264
    # §7.4.1.2.3), and ffmpeg then hands out the two halves as two frames.
    video = (
        'videotestsrc is-live=true pattern=ball ! video/x-raw,width={w},height={h},framerate={fps}/1 ! '
        'x264enc tune=zerolatency speed-preset=ultrafast sliced-threads=false bframes=0 key-int-max={gop} ! '
        'video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1'
    ).format(w=m.get('width', 320), h=m.get('height', 240), fps=m.get('fps', 25), gop=m.get('gop', 25))
    audio = ''
    if m.get('audio'):
        audio = ' audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! opusenc ! rtpopuspay name=pay1 pt=97'
    return '( ' + video + audio + ' )'


server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(cfg.get('port', 0)))
mounts = server.get_mount_points()
for m in cfg['mounts']:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(m))
    factory.set_shared(True)
    factory.set_protocols(PROTOCOLS[m.get('protocols', 'any')])
    if cfg.get('auth') or cfg.get('tls'):
        factory.add_role_from_structure(Gst.Structure.from_string(
            'viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true')[0])
    mounts.add_factory(m['path'], factory)

auth_cfg = cfg.get('auth')
tls_cfg = cfg.get('tls')
if auth_cfg or tls_cfg:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'viewer')
    if tls_cfg:
        # RTSP over TLS (rtsps://, RFC 7826 §19): the control connection and, with TCP
        # interleaving, the media inside it.
        auth.set_tls_certificate(Gio.TlsCertificate.new_from_pem(tls_cfg['certPem'] + tls_cfg['keyPem'], -1))
    if not auth_cfg:
        auth.set_default_token(token)  # anyone may watch: TLS only
    elif auth_cfg['method'] == 'digest':
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(auth_cfg['user'], auth_cfg['password'], token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(auth_cfg['user'], auth_cfg['password']), token)
    server.set_auth(auth)

client_ids = {}


def session_id(ctx):
    # The Session header the client sent (RFC 2326 §12.37), without its parameters.
    res, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.SESSION, 0)
    return value.split(';')[0] if res == GstRtsp.RTSPResult.OK else '-'


def on_request(method):
    def handler(client, ctx):
        emit('REQ', client_ids[client], method, session_id(ctx))
        res, authorization = ctx.request.get_header(GstRtsp.RTSPHeaderField.AUTHORIZATION, 0)
        if method == 'DESCRIBE' and res == GstRtsp.RTSPResult.OK:
            emit('AUTH', client_ids[client], authorization.split(' ')[0])
        if method == 'SETUP' and ctx.trans is not None:
            tcp = ctx.trans.get_transport().lower_transport == GstRtsp.RTSPLowerTrans.TCP
            emit('TRANSPORT', client_ids[client], 'TCP' if tcp else 'UDP')
    return handler


def on_new_session(client, session):
    # RFC 2326 §12.37: the timeout the server announces in the Session header; a client must
    # refresh the session (any request carrying it) before it passes.
    session.set_timeout(int(cfg.get('sessionTimeout', 60)))
    # gst-rtsp-server adds 5 s of grace to the announced timeout by default; the tests want the
    # timeout the server announced, exactly.
    session.set_property('extra-timeout', 0)


def on_client(srv, client):
    client_ids[client] = len(client_ids) + 1
    for signal, method in (
        ('options-request', 'OPTIONS'), ('describe-request', 'DESCRIBE'), ('setup-request', 'SETUP'),
        ('play-request', 'PLAY'), ('get-parameter-request', 'GET_PARAMETER'),
        ('set-parameter-request', 'SET_PARAMETER'), ('teardown-request', 'TEARDOWN'),
    ):
        client.connect(signal, on_request(method))
    client.connect('new-session', on_new_session)
    client.connect('closed', lambda c: emit('CLOSED', client_ids[c]))


server.connect('client-connected', on_client)
pool = server.get_session_pool()
pool.connect('session-removed', lambda p, s: emit('SESSION-REMOVED', s.get_sessionid()))


def cleanup():
    # gst-rtsp-server only expires sessions when asked: ask four times a second.
    pool.cleanup()
    return True


GLib.timeout_add(250, cleanup)
if server.attach(None) == 0:
    emit('ERROR cannot listen on 127.0.0.1:' + str(cfg.get('port', 0)))
    sys.exit(1)
emit('READY', server.get_bound_port())
GLib.MainLoop().run()
