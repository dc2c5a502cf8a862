/**
 * Reference target `node-tunnel`: the least work a Node relay can do. It rewrites the handshake (the four
 * XiaoZhi headers from the query, like the nginx target) and then copies bytes both ways with no framing,
 * no limits, no keepalive and no diagnosis. Not a product: it measures the floor of Node's socket I/O on
 * this machine, so the gap between the gateway and nginx can be split into "Node" and "our relay".
 * Reads PORT and BACKEND_WS_URL like the gateway.
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';

const port = Number(process.env['PORT']);
const up = new URL(process.env['BACKEND_WS_URL'] ?? 'ws://127.0.0.1:8765/xiaozhi/v1/');

const server = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});

server.on('upgrade', (req, client, head) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const upstream = connect(Number(up.port), up.hostname);
  upstream.setNoDelay(true);
  upstream.write(
    [
      `GET ${up.pathname} HTTP/1.1`, `Host: ${up.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${req.headers['sec-websocket-key'] ?? ''}`, 'Sec-WebSocket-Version: 13',
      `Authorization: Bearer ${q.get('token') ?? ''}`, `Device-Id: ${q.get('device_id') ?? ''}`,
      `Client-Id: ${q.get('client_id') ?? ''}`, 'Protocol-Version: 1', '', '',
    ].join('\r\n'),
  );
  if (head.length > 0) upstream.write(head);
  // The upstream's 101 (same Sec-WebSocket-Key, so the same accept value) goes back to the client verbatim.
  upstream.on('data', (c: Buffer) => client.write(c));
  client.on('data', (c: Buffer) => upstream.write(c));
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  upstream.on('error', end).on('close', end);
  client.on('error', end).on('close', end);
});

server.listen(port, '127.0.0.1');
