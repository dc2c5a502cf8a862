/**
 * nginx as the reference proxy (ecosystem.md §2): Debian's nginx injecting the four XiaoZhi handshake headers
 * from query arguments, run as the current user from a scratch prefix (no /etc), one worker for parity with a
 * single-threaded Node target.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, waitForPort } from './lib/spawn.ts';

/** Path of the nginx binary, or null when it is not installed. */
export function findNginx(): string | null {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(':')];
  for (const d of dirs) if (d && existsSync(join(d, 'nginx'))) return join(d, 'nginx');
  return null;
}

/** The config template: `$arg_token` etc. become the upstream handshake headers. */
export function nginxConfig(dir: string, listenPort: number, upstreamPort: number): string {
  const tmp = join(dir, 'tmp');
  return `daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${tmp}/client;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream xiaozhi { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${listenPort};
    location /api/ws-proxy {
      proxy_pass http://xiaozhi/xiaozhi/v1/;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      # Browsers cannot set these on a WebSocket handshake; nginx takes them from the query (not URL-decoded).
      proxy_set_header Authorization "Bearer $arg_token";
      proxy_set_header Device-Id $arg_device_id;
      proxy_set_header Client-Id $arg_client_id;
      proxy_set_header Protocol-Version 1;
      proxy_read_timeout 3600s;
      proxy_buffering off;
    }
  }
}
`;
}

/** Write the config under `dir` and start nginx pinned to `cpu`; resolves once it listens. */
export async function startNginx(bin: string, dir: string, listenPort: number, upstreamPort: number, cpu: number | undefined): Promise<ChildProcess> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, listenPort, upstreamPort));
  const child = spawnPinned(cpu, bin, ['-c', conf, '-p', `${dir}/`, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(listenPort, 10_000, child);
  return child;
}
