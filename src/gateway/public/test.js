// The original test.html flow: proxy URL, token, device id, client id → connect → hello → server hello.
// Text from the server is shown with textContent only (the original used innerHTML: XSS).
const $ = (id) => document.getElementById(id);
const proxyUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws-proxy`;
$('proxyUrl').value = proxyUrl;
let ws = null;

function log(text, cls) {
  const line = document.createElement('div');
  line.textContent = `[${new Date().toLocaleTimeString()}] ${text}`;
  if (cls) line.className = cls;
  $('log').appendChild(line);
  $('log').scrollTop = $('log').scrollHeight;
}
function stage(id, state) {
  $(id).className = state || '';
}
function setStatus(text, cls) {
  $('status').textContent = text;
  $('status').className = cls || 'muted';
}
function reset() {
  for (const id of ['stage-proxy', 'stage-hello', 'stage-connected']) stage(id, '');
  $('sessionId').textContent = '–';
}

$('connect').addEventListener('click', () => {
  const token = $('token').value.trim();
  const deviceId = $('deviceId').value.trim();
  const clientId = $('clientId').value.trim();
  if (!token) {
    log('请输入 Token · enter a token', 'bad');
    return;
  }
  reset();
  const q = new URLSearchParams({ token });
  if (deviceId) q.set('device_id', deviceId);
  if (clientId) q.set('client_id', clientId);
  log(`连接 ${proxyUrl}?token=…&device_id=${deviceId || '(default)'}&client_id=${clientId || '(default)'}`);
  setStatus('连接中 · connecting…');
  ws = new WebSocket(`${proxyUrl}?${q}`);
  ws.binaryType = 'arraybuffer';
  $('connect').disabled = true;
  $('disconnect').disabled = false;
  ws.onopen = () => {
    stage('stage-proxy', 'done');
    log('代理连接成功 · proxy connected, sending hello', 'ok');
    ws.send(JSON.stringify({
      type: 'hello', version: 1, features: { mcp: true }, transport: 'websocket',
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    }));
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') {
      log(`← binary ${ev.data.byteLength} B`);
      return;
    }
    let msg = null;
    try { msg = JSON.parse(ev.data); } catch { /* not JSON */ }
    log(`← ${ev.data.length > 300 ? `${ev.data.slice(0, 300)}…` : ev.data}`);
    if (msg && msg.type === 'hello') {
      stage('stage-hello', 'done');
      stage('stage-connected', 'done');
      $('sessionId').textContent = msg.session_id || '(none)';
      setStatus('已连接 · connected', 'ok');
      log('服务器握手成功 · server hello received', 'ok');
    }
  };
  ws.onerror = () => log('WebSocket 错误 · error (see close code below)', 'bad');
  ws.onclose = (ev) => {
    log(`连接关闭 · closed: ${ev.code} ${ev.reason || ''}`, ev.code === 1000 ? '' : 'bad');
    if (!$('stage-hello').className) stage(!$('stage-proxy').className ? 'stage-proxy' : 'stage-hello', 'failed');
    setStatus(`未连接 · closed (${ev.code})`, ev.code === 1000 ? 'muted' : 'bad');
    $('connect').disabled = false;
    $('disconnect').disabled = true;
    ws = null;
  };
});
$('disconnect').addEventListener('click', () => ws && ws.close(1000, 'user'));
$('clear').addEventListener('click', () => { $('log').textContent = ''; });
