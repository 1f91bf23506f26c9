// The browser side of the Rivulet SFU example: one RTCPeerConnection to the SFU, perfect
// negotiation as the *polite* peer (webrtc-pc §10.7), a video element per received publisher,
// and buttons to pick a simulcast layer per publication. `window.sfu` exposes the state for tests.
const params = new URLSearchParams(location.search);
const room = params.get('room') || 'default';
const $ = (id) => document.getElementById(id);
$('room').textContent = room;
const log = (...a) => { $('log').textContent += a.join(' ') + '\n'; };

const pc = new RTCPeerConnection();
const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?room=${encodeURIComponent(room)}`);
// ?twcc=off: a diagnostic. Without transport-cc in what we send, Chromium uses its loss-based
// estimate instead of Rivulet's TWCC feedback. See README.md.
const twccOff = params.get('twcc') === 'off';
const withoutTwcc = (sdp) => sdp.split('\r\n').filter((l) => !/transport-wide-cc|transport-cc/.test(l)).join('\r\n');
const opened = new Promise((resolve) => { ws.onopen = resolve; });
// Queued until the socket is open, in order (an offer before its candidates).
const send = (m) => {
  if (twccOff && m.type === 'description') m = { ...m, description: { type: m.description.type, sdp: withoutTwcc(m.description.sdp) } };
  opened.then(() => ws.send(JSON.stringify(m)));
};
// The browser makes the first offer (see src/peer.ts for why): a data channel is enough to have one.
const channel = pc.createDataChannel('sfu');
const state = { id: null, pc, ws, channel, publications: new Map(), streams: new Map(), errors: [], layers: new Map() };
window.sfu = state;

// Perfect negotiation, polite side.
let makingOffer = false;
let ignoreOffer = false;
pc.onnegotiationneeded = async () => {
  try {
    makingOffer = true;
    await pc.setLocalDescription();
    send({ type: 'description', description: pc.localDescription });
  } catch (e) {
    log('offer failed', e);
  } finally {
    makingOffer = false;
  }
};
pc.onicecandidate = ({ candidate }) => send({ type: 'candidate', candidate });
pc.onconnectionstatechange = () => log('connection', pc.connectionState);

// Messages are handled one at a time, in arrival order (an answer must be applied before the next offer).
let inbox = Promise.resolve();
ws.onmessage = ({ data }) => { inbox = inbox.then(() => handle(JSON.parse(data))); };
async function handle(m) {
  try {
    if (m.type === 'welcome') {
      state.id = m.id;
      $('me').textContent = m.id;
    } else if (m.type === 'description') {
      const d = m.description;
      const collision = d.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
      ignoreOffer = false; // polite: never ignores; setRemoteDescription rolls our offer back
      await pc.setRemoteDescription(d);
      if (d.type === 'offer') {
        await pc.setLocalDescription();
        send({ type: 'description', description: pc.localDescription });
      }
      if (collision) log('glare: rolled our offer back');
    } else if (m.type === 'candidate') {
      try { await pc.addIceCandidate(m.candidate ?? undefined); } catch (e) { if (!ignoreOffer) throw e; }
    } else if (m.type === 'subscribed') {
      state.publications.set(m.publication.id, { ...m.publication, streamId: m.streamId, layer: m.layer });
      render(m.publication.publisherId, m.streamId);
    } else if (m.type === 'unsubscribed') {
      state.publications.delete(m.publicationId);
    } else if (m.type === 'layer') {
      state.layers.set(m.publicationId, m.rid);
    } else if (m.type === 'error') {
      state.errors.push(m.message);
      log('sfu error:', m.message);
    }
  } catch (e) {
    state.errors.push(String(e));
    log('signaling error', e);
  }
}

// One <video> per publisher: its audio and video arrive in one stream (msid).
pc.ontrack = ({ track, streams }) => {
  const stream = streams[0];
  if (!stream) return;
  state.streams.set(stream.id, stream);
  const v = document.querySelector(`video[data-stream="${stream.id}"]`);
  if (v) v.srcObject = stream;
  stream.onremovetrack = () => { if (stream.getTracks().length === 0) document.querySelector(`figure[data-stream="${stream.id}"]`)?.remove(); };
  track.onended = stream.onremovetrack;
};

function render(publisherId, streamId) {
  let fig = document.querySelector(`figure[data-stream="${streamId}"]`);
  if (!fig) {
    fig = document.createElement('figure');
    fig.dataset.stream = streamId;
    fig.innerHTML = `<video data-stream="${streamId}" autoplay playsinline></video><figcaption>${publisherId}</figcaption>`;
    $('remotes').append(fig);
    const s = state.streams.get(streamId);
    if (s) fig.querySelector('video').srcObject = s;
  }
  for (const pub of state.publications.values()) {
    if (pub.streamId !== streamId || pub.rids.length === 0 || fig.querySelector(`[data-pub="${pub.id}"]`)) continue;
    const span = document.createElement('span');
    span.dataset.pub = pub.id;
    for (const rid of pub.rids) {
      const b = document.createElement('button');
      b.textContent = rid;
      b.onclick = () => selectLayer(pub.id, rid);
      span.append(b);
    }
    fig.querySelector('figcaption').append(' layer: ', span);
  }
}

function selectLayer(publicationId, rid) {
  send({ type: 'layer', publicationId, rid });
}

async function publish({ simulcast = $('simulcast').checked, audio = true } = {}) {
  const media = await navigator.mediaDevices.getUserMedia({ audio, video: { width: 1280, height: 720, frameRate: 30 } });
  $('local').srcObject = media;
  for (const track of media.getTracks()) {
    if (track.kind === 'video' && simulcast) {
      // Low to high: the SFU starts new subscribers on the first layer.
      pc.addTransceiver(track, {
        direction: 'sendonly', streams: [media],
        sendEncodings: [
          { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
          { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
          { rid: 'f', maxBitrate: 1_500_000 },
        ],
      });
    } else {
      pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
    }
  }
  return media.id;
}
$('publish').onclick = () => publish();
state.publish = publish;
state.selectLayer = selectLayer;
state.opened = opened;
