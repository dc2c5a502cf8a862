/**
 * Load generator (reliability-performance.md §3.3 session model). Opens N XiaoZhi-like sessions at a ramp
 * rate; each sends `hello` the moment the socket opens, then a ~120-byte "mic" packet every 60 ms with random
 * phase; the upstream echoes them and sends TTS bursts. Every frame carries its send time (bench/lib/payload.ts).
 * Phases: connect → idle (RSS probe) → warm-up → measure → drain → close. It watches its own event-loop lag
 * so the harness can discard runs where the generator, not the target, was the bottleneck.
 *
 * As a process: `tsx bench/loadgen.ts '<json LoadConfig>'`; JSON lines on stdout (`event` = connected, idle,
 * measure-start, measure-end, result).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket, { type RawData } from 'ws';
import { KIND_TTS, KIND_UP, makeFrame, nowMs, readFrame } from './lib/payload.ts';
import { quantiles, Samples, type Quantiles } from './lib/stats.ts';

export interface LoadConfig {
  /** ws:// URL: the upstream's path (mode `headers`) or the proxy's `/api/ws-proxy` (mode `query`). */
  url: string;
  /** `headers`: set the four handshake headers ourselves (direct); `query`: token/device_id/client_id in the URL. */
  auth: 'headers' | 'query';
  sessions: number;
  rampPerSec?: number;
  /** Quiet time after every hello was answered, before traffic (the harness samples idle RSS here). */
  idleMs?: number;
  warmupMs?: number;
  durationMs: number;
  drainMs?: number;
  helloTimeoutMs?: number;
  frameBytes?: number;
  intervalMs?: number;
  token?: string;
}

export interface LoadResult {
  sessions: number;
  opened: number;
  failed: number;
  failReasons: Record<string, number>;
  /** Sessions whose hello (sent on open) never got a server hello. */
  firstMessageLost: number;
  unexpectedCloses: Record<string, number>;
  handshake: Quantiles;
  /** One-way frame latency, both directions (uplink leg, echo leg, TTS frames). */
  latency: Quantiles;
  /** Uplink packet → its echo. */
  rtt: Quantiles;
  up: { sent: number; echoed: number };
  tts: { received: number; lost: number };
  jsonReceived: number;
  /** Lost frames / frames expected, measure window only. */
  frameLoss: number;
  /** (failed + first-message-lost sessions) / sessions. */
  sessionLoss: number;
  /** max(frameLoss, sessionLoss): the stop criterion. */
  loss: number;
  /** Own event-loop delay beyond the timer resolution, ms, during the measure window. */
  lag: { p99: number; max: number };
  measureMs: number;
}

export type LoadEvent = { event: 'connected' | 'idle' | 'measure-start' | 'measure-end'; t: number; opened?: number } | { event: 'result'; result: LoadResult };

const LAG_RESOLUTION_MS = 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function deviceFor(i: number): { deviceId: string; clientId: string } {
  const hex = (i + 0x10000).toString(16).padStart(6, '0').slice(-6);
  return {
    deviceId: `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`,
    clientId: `00000000-0000-4000-8000-${hex.padStart(12, '0')}`,
  };
}

/** Run one load step; `onEvent` sees phase changes as they happen. Stops by itself. */
export async function runLoad(cfg: LoadConfig, onEvent: (e: LoadEvent) => void = () => undefined): Promise<LoadResult> {
  const ramp = cfg.rampPerSec ?? 500;
  const interval = cfg.intervalMs ?? 60;
  const frameBytes = cfg.frameBytes ?? 120;
  const helloTimeout = cfg.helloTimeoutMs ?? 10_000;
  const token = cfg.token ?? 'bench-token-0123456789';
  const failReasons: Record<string, number> = {};
  const unexpectedCloses: Record<string, number> = {};
  const handshake = new Samples();
  const latency = new Samples();
  const rtt = new Samples();
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let opened = 0;
  let failed = 0;
  let helloAnswered = 0;
  let settled = 0;
  let upSent = 0;
  let upEchoed = 0;
  let ttsReceived = 0;
  let ttsLost = 0;
  let jsonReceived = 0;
  let stopping = false;
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let onSettled: () => void = () => undefined;
  const settle = () => {
    settled++;
    if (settled === cfg.sessions) onSettled();
  };

  function open(i: number): void {
    const { deviceId, clientId } = deviceFor(i);
    const started = nowMs();
    let url = cfg.url;
    let headers: Record<string, string> = {};
    if (cfg.auth === 'query') url += `${url.includes('?') ? '&' : '?'}token=${token}&device_id=${encodeURIComponent(deviceId)}&client_id=${clientId}`;
    else headers = { Authorization: `Bearer ${token}`, 'Device-Id': deviceId, 'Client-Id': clientId, 'Protocol-Version': '1' };
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: helloTimeout });
    sockets.push(ws);
    let gotHello = false;
    let done = false;
    let ttsNext = 0;
    let seq = 0;
    const finish = () => {
      if (!done) {
        done = true;
        settle();
      }
    };
    let wasOpen = false;
    let lastError = 'closed before open';
    const helloTimer = setTimeout(finish, helloTimeout);
    ws.on('unexpected-response', (_req, res) => {
      lastError = `http ${res.statusCode}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (!wasOpen) lastError = err.code ?? err.message.slice(0, 40);
    });
    ws.on('open', () => {
      wasOpen = true;
      opened++;
      // The first message goes out on `open`, as browsers and firmware do (§2.2).
      ws.send(JSON.stringify({ type: 'hello', version: 1, transport: 'websocket', features: { mcp: true }, audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } }));
    });
    ws.on('close', (code: number) => {
      clearTimeout(helloTimer);
      if (!wasOpen) {
        failed++;
        failReasons[lastError] = (failReasons[lastError] ?? 0) + 1;
      } else if (!stopping) {
        unexpectedCloses[String(code)] = (unexpectedCloses[String(code)] ?? 0) + 1;
      }
      finish();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const t = nowMs();
      if (!isBinary) {
        jsonReceived++;
        if (!gotHello && (data as Buffer).includes('"hello"')) {
          gotHello = true;
          helloAnswered++;
          handshake.add(t - started);
          clearTimeout(helloTimer);
          finish();
        }
        return;
      }
      const f = readFrame(data as Buffer);
      if (!f) return;
      if (f.kind === KIND_UP) {
        if (!inWindow(f.sentMs)) return;
        upEchoed++;
        rtt.add(t - f.sentMs);
        latency.add(f.upstreamMs - f.sentMs);
        latency.add(t - f.upstreamMs);
      } else if (f.kind === KIND_TTS) {
        if (inWindow(f.sentMs)) {
          ttsReceived++;
          if (f.seq > ttsNext) ttsLost += f.seq - ttsNext;
          latency.add(t - f.sentMs);
        }
        ttsNext = f.seq + 1;
      }
    });
    // Uplink starts once the harness has taken its idle sample; random phase inside one 60 ms period.
    const startUplink = () => {
      const t0 = setTimeout(() => {
        const tick = setInterval(() => {
          if (stopping || ws.readyState !== WebSocket.OPEN || !gotHello) return;
          const frame = makeFrame(KIND_UP, seq++, frameBytes);
          if (inWindow(frame.readDoubleLE(8))) upSent++;
          ws.send(frame);
        }, interval);
        timers.push(tick);
      }, Math.random() * interval);
      timers.push(t0);
    };
    (ws as WebSocket & { startUplink?: () => void }).startUplink = startUplink;
  }

  // Connect phase: ramp at `ramp` sessions/s in 10 ms slices.
  const allSettled = new Promise<void>((r) => (onSettled = r));
  const perSlice = Math.max(1, Math.round(ramp / 100));
  for (let i = 0; i < cfg.sessions; i += perSlice) {
    for (let j = i; j < Math.min(cfg.sessions, i + perSlice); j++) open(j);
    await sleep(10);
  }
  await allSettled;
  onEvent({ event: 'connected', t: nowMs(), opened });
  await sleep(cfg.idleMs ?? 1500);
  onEvent({ event: 'idle', t: nowMs(), opened });
  await sleep(300);
  for (const ws of sockets) (ws as WebSocket & { startUplink?: () => void }).startUplink?.();
  await sleep(cfg.warmupMs ?? 5000);

  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  windowStart = nowMs();
  windowEnd = windowStart + cfg.durationMs;
  lag.enable();
  onEvent({ event: 'measure-start', t: windowStart });
  await sleep(cfg.durationMs);
  lag.disable();
  onEvent({ event: 'measure-end', t: nowMs() });
  await sleep(cfg.drainMs ?? 1000);
  stopping = true;
  for (const t of timers) clearInterval(t);
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((r) => {
          if (ws.readyState === WebSocket.CLOSED) return r();
          const kill = setTimeout(() => {
            ws.terminate();
            r();
          }, 2000);
          ws.once('close', () => {
            clearTimeout(kill);
            r();
          });
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
          else ws.terminate();
        }),
    ),
  );

  const expected = upSent + ttsReceived + ttsLost;
  const lost = Math.max(0, upSent - upEchoed) + ttsLost;
  const frameLoss = expected > 0 ? lost / expected : 0;
  // A session that never opened, or whose hello went unanswered, lost everything it would have carried.
  const sessionLoss = (failed + (opened - helloAnswered)) / cfg.sessions;
  const lagMs = (ns: number) => Math.round(Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS) * 1000) / 1000;
  const result: LoadResult = {
    sessions: cfg.sessions,
    opened,
    failed,
    failReasons,
    firstMessageLost: opened - helloAnswered,
    unexpectedCloses,
    handshake: quantiles(handshake),
    latency: quantiles(latency),
    rtt: quantiles(rtt),
    up: { sent: upSent, echoed: upEchoed },
    tts: { received: ttsReceived, lost: ttsLost },
    jsonReceived,
    frameLoss,
    sessionLoss,
    loss: Math.max(frameLoss, sessionLoss),
    lag: { p99: lagMs(lag.percentile(99)), max: lagMs(lag.max) },
    measureMs: cfg.durationMs,
  };
  onEvent({ event: 'result', result });
  return result;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
  await runLoad(cfg, (e) => process.stdout.write(`${JSON.stringify(e)}\n`));
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
