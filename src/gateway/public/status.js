// Status page: live connection count from /health every 2 s (as the original page did).
const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
document.getElementById('example').textContent = `${wsBase}/api/ws-proxy?token=…&device_id=…&client_id=…`;
async function poll() {
  const conn = document.getElementById('connections');
  const health = document.getElementById('health');
  try {
    const res = await fetch('/health', { cache: 'no-store' });
    const h = await res.json();
    conn.textContent = String(h.connections);
    health.textContent = `${h.status} · ${h.service} · v${h.version} · ${h.ready ? 'ready' : 'shutting down'}`;
    health.className = h.ready ? 'ok' : 'bad';
  } catch {
    health.textContent = 'gateway unreachable';
    health.className = 'bad';
  }
}
poll();
setInterval(poll, 2000);
