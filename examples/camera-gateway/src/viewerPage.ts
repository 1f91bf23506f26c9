/**
 * The page a browser opens to watch the gateway. Plain browser WebRTC and
 * WHEP (draft-ietf-wish-whep): POST an SDP offer, get the answer back.
 */
export function viewerPage(title: string): string {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #111; color: #eee; margin: 2em; }
  video { width: 100%; max-width: 960px; background: #000; border-radius: 6px; }
  #status { margin: 0.5em 0; color: #9cf; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<video id="video" autoplay playsinline muted controls></video>
<div id="status">connecting…</div>
<script>
(async () => {
  const status = document.getElementById('status');
  const video = document.getElementById('video');
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
  pc.onconnectionstatechange = () => { status.textContent = 'connection: ' + pc.connectionState; };
  await pc.setLocalDescription();
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 2000);
  });
  const res = await fetch('whep', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (res.status !== 201) { status.textContent = 'gateway refused: ' + res.status + ' ' + await res.text(); return; }
  window.rivuletSession = res.headers.get('location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  window.rivuletPc = pc;
  setInterval(async () => {
    const stats = await pc.getStats();
    for (const s of stats.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        status.textContent = 'connection: ' + pc.connectionState + ' — frames decoded: ' + (s.framesDecoded ?? 0) +
          (s.frameWidth ? ' — ' + s.frameWidth + 'x' + s.frameHeight : '');
      }
    }
  }, 1000);
})().catch((e) => { document.getElementById('status').textContent = 'error: ' + e; });
</script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
