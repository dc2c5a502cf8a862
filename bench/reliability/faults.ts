/**
 * Fault cases through the gateway (reliability-performance.md §2.6, §2.7, §2.9–§2.11): black-hole TCP on each
 * leg, upstream reset mid-session, client aborts at each handshake stage, a reconnect storm from one IP, and
 * SIGTERM with live sessions. Each returns figures plus a pass/fail against the stated target.
 */
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { startBenchUpstream, type BenchUpstream } from '../upstream.ts';
import { fdCount, rssKb } from '../lib/proc.ts';
import { startTcpRelay } from './tcp-relay.ts';
import { legacyPath } from './gateway-process.ts';

export interface FaultResult {
  id: string;
  title: string;
  ok: boolean;
  figures: Record<string, number | string>;
  detail: string;
}

/** A running gateway the cases can use; `pid` (a separate process) enables fd/RSS figures. */
export interface GwHandle {
  port: number;
  pid?: number;
  stop(): Promise<unknown>;
  /** Send a signal to the process (process gateways only). */
  kill?(signal: NodeJS.Signals): void;
  exited?: Promise<number | null>;
  /** What the process printed (JSON log lines), when available. */
  output?(): string;
}
/** Starts a gateway relaying to `backendWsUrl`; `defaultLimits` keeps the production per-IP limits. */
export type GwFactory = (backendWsUrl: string, opts?: { defaultLimits?: boolean }) => Promise<GwHandle>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const upUrl = (port: number) => `ws://127.0.0.1:${port}/xiaozhi/v1/`;

/** A ws session that sends hello on open; resolves once the server hello arrived. */
export function openSession(port: number, i = 1): Promise<{ ws: WebSocket; closed: Promise<{ code: number; at: number }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${legacyPath(i)}`, { perMessageDeflate: false });
    const closed = new Promise<{ code: number; at: number }>((r) => ws.once('close', (code) => r({ code, at: Date.now() })));
    const timer = setTimeout(() => reject(new Error('no server hello within 10 s')), 10_000);
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('unexpected-response', (_q, res) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`http ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })));
    ws.on('message', (d, bin) => {
      if (!bin && String(d).includes('"hello"')) {
        clearTimeout(timer);
        resolve({ ws, closed });
      }
    });
  });
}

async function waitFor(pred: () => boolean, timeoutMs: number, stepMs = 20): Promise<number> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) return Number.NaN;
    await sleep(stepMs);
  }
  return Date.now() - t0;
}

/**
 * Black hole on one leg; figure: time until the gateway tears the session down. Passes when ≤ `boundMs`;
 * waits up to 1.75 × bound so a miss still yields the measured time.
 */
export async function blackHole(leg: 'client' | 'upstream', start: GwFactory, boundMs: number): Promise<FaultResult> {
  const waitMs = Math.round(boundMs * 1.75);
  const up = await startBenchUpstream({ mode: 'voice' });
  let gw: GwHandle | undefined;
  try {
    let detectMs: number;
    let code: number | string = '—';
    if (leg === 'client') {
      gw = await start(upUrl(up.port));
      const clientRelay = await startTcpRelay(gw.port);
      const s = await openSession(clientRelay.port);
      s.ws.on('error', () => undefined);
      clientRelay.blackHole();
      detectMs = await waitFor(() => up.openCount() === 0, waitMs, 50);
      s.ws.terminate();
      await clientRelay.close();
    } else {
      const upRelay = await startTcpRelay(up.port);
      gw = await start(upUrl(upRelay.port));
      const s = await openSession(gw.port);
      const t0 = Date.now();
      upRelay.blackHole();
      const r = await Promise.race([s.closed, sleep(waitMs).then(() => null)]);
      detectMs = r ? r.at - t0 : Number.NaN;
      code = r?.code ?? 'none';
      s.ws.terminate();
      await upRelay.close();
    }
    const ok = Number.isFinite(detectMs) && detectMs <= boundMs;
    return {
      id: `blackhole-${leg}`, title: `black-hole TCP on the ${leg} leg`, ok, figures: { detectMs, closeCodeToClient: code, boundMs },
      detail: Number.isFinite(detectMs) ? `other leg closed after ${detectMs} ms (bound ${boundMs} ms)` : `not detected within ${waitMs} ms`,
    };
  } finally {
    await gw?.stop();
    await up.close();
  }
}

/** Upstream RST mid-session: the browser gets a close with a code, the gateway keeps serving. */
export async function upstreamReset(start: GwFactory): Promise<FaultResult> {
  const up = await startBenchUpstream({ mode: 'voice' });
  const gw = await start(upUrl(up.port));
  try {
    const s = await openSession(gw.port);
    const t0 = Date.now();
    up.resetAll();
    const r = await Promise.race([s.closed, sleep(10_000).then(() => null)]);
    let stillServing = false;
    try {
      const again = await openSession(gw.port, 2);
      stillServing = true;
      again.ws.close();
    } catch {
      stillServing = false;
    }
    const ok = r !== null && r.code !== 1006 && r.code !== 1005 && stillServing;
    return {
      id: 'upstream-reset', title: 'upstream resets (TCP RST) mid-session', ok,
      figures: { closeMs: r ? r.at - t0 : Number.NaN, closeCode: r?.code ?? 'none', stillServing: String(stillServing) },
      detail: r ? `client closed with ${r.code} after ${r.at - t0} ms; new session afterwards: ${stillServing ? 'ok' : 'FAILED'}` : 'client never closed',
    };
  } finally {
    await gw.stop();
    await up.close();
  }
}

/** Dial start times (epoch ms) from the gateway's JSON `relay_open` log lines. */
export function admissionTimesFromLog(out: string): number[] {
  const times: number[] = [];
  for (const line of out.split('\n')) {
    if (!line.includes('"relay_open"')) continue;
    try {
      const o = JSON.parse(line) as { time?: number; connectMs?: number };
      if (typeof o.time === 'number') times.push(o.time - (o.connectMs ?? 0));
    } catch {
      /* not JSON */
    }
  }
  return times;
}

export type AbortStage = 'before-upgrade' | 'during-dial' | 'after-open';

function abortOnce(port: number, stage: AbortStage, i: number): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    const rst = () => {
      s.resetAndDestroy();
      resolve();
    };
    s.on('error', () => resolve());
    s.once('connect', () => {
      const head = `GET ${legacyPath(i)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(`k${i}`.padEnd(16, 'x')).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`;
      if (stage === 'before-upgrade') s.write(head, () => setImmediate(rst));
      else if (stage === 'during-dial') s.write(`${head}\r\n`, () => setTimeout(rst, 2));
      else {
        s.write(`${head}\r\n`);
        s.on('data', (d) => (d.includes('HTTP/1.1 101') ? rst() : undefined));
        setTimeout(rst, 5000);
      }
    });
  });
}

/**
 * `count` clients vanish (RST) at one handshake stage; figure: time until upstream connections and the
 * gateway's fds are back to their baseline (target ≤ 1 s). Needs a process gateway (fds are per process).
 */
export async function clientAborts(stage: AbortStage, count: number, start: GwFactory): Promise<FaultResult> {
  const up: BenchUpstream = await startBenchUpstream({ mode: 'voice', handshakeDelayMs: stage === 'during-dial' ? 30 : 0 });
  const gw = await start(upUrl(up.port));
  try {
    (await openSession(gw.port)).ws.close();
    await waitFor(() => up.tcpCount() === 0, 2000);
    await sleep(200);
    const baseUp = up.tcpCount();
    const baseFd = gw.pid ? fdCount(gw.pid) : Number.NaN;
    const acceptedBefore = up.stats.accepted;
    for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => abortOnce(gw.port, stage, i + j + 10)));
    // Each resource is timed on its own so a slow one is named.
    const t0 = Date.now();
    let upMs = Number.NaN;
    let fdMs = Number.NaN;
    const recoveryMs = await waitFor(() => {
      const upOk = up.tcpCount() <= baseUp;
      const fdOk = !gw.pid || fdCount(gw.pid) <= baseFd;
      if (upOk && Number.isNaN(upMs)) upMs = Date.now() - t0;
      if (fdOk && Number.isNaN(fdMs)) fdMs = Date.now() - t0;
      return upOk && fdOk;
    }, 5000);
    const leakedUp = up.tcpCount() - baseUp;
    const leakedFd = gw.pid ? fdCount(gw.pid) - baseFd : Number.NaN;
    const ok = Number.isFinite(recoveryMs) && recoveryMs <= 1000;
    return {
      id: `abort-${stage}`, title: `${count} client aborts ${stage.replace('-', ' ')}`, ok,
      figures: { count, recoveryMs, upstreamBackMs: upMs, fdsBackMs: fdMs, leakedUpstream: leakedUp, leakedFds: leakedFd, upstreamSessionsOpened: up.stats.accepted - acceptedBefore },
      detail: Number.isFinite(recoveryMs) ? `back to baseline ${recoveryMs} ms after the last abort (upstream connections ${upMs} ms, gateway fds ${fdMs} ms; target ≤ 1000 ms)` : `after 5 s: ${leakedUp} upstream connections and ${leakedFd} fds above baseline`,
    };
  } finally {
    await gw.stop();
    await up.close();
  }
}

/** `attempts` connects from one IP over `spreadMs` with the default limits; limits must hold, RSS stay bounded. */
export async function reconnectStorm(attempts: number, spreadMs: number, start: GwFactory): Promise<FaultResult> {
  const up = await startBenchUpstream({ mode: 'voice' });
  const gw = await start(upUrl(up.port), { defaultLimits: true });
  const held: WebSocket[] = [];
  try {
    const rss0 = gw.pid ? rssKb(gw.pid) : Number.NaN;
    const admittedAt: number[] = [];
    const statuses: Record<string, number> = {};
    let maxOpen = 0;
    const poll = setInterval(() => (maxOpen = Math.max(maxOpen, up.openCount())), 5);
    await Promise.all(
      Array.from({ length: attempts }, async (_, i) => {
        await sleep((i / attempts) * spreadMs);
        try {
          const s = await openSession(gw.port, i + 100);
          admittedAt.push(Date.now());
          held.push(s.ws);
        } catch (err) {
          const k = String((err as { status?: number }).status ?? (err as Error).message);
          statuses[k] = (statuses[k] ?? 0) + 1;
        }
      }),
    );
    clearInterval(poll);
    const rss1 = gw.pid ? rssKb(gw.pid) : Number.NaN;
    // Admission times: from the gateway's own `relay_open` lines (log time − connectMs = when it started
    // dialling, right after admitting), else as seen by the upstream (adds dial jitter).
    const fromLog = admissionTimesFromLog(gw.output?.() ?? '');
    const dials = (fromLog.length === admittedAt.length ? fromLog : [...up.upgradeTimes]).sort((a, b) => a - b);
    const source = fromLog.length === admittedAt.length ? 'gateway log' : 'upstream';
    let maxPerSec = 0;
    for (let i = 0, j = 0; i < dials.length; i++) {
      while (dials[i]! - dials[j]! >= (source === 'gateway log' ? 990 : 900)) j++;
      maxPerSec = Math.max(maxPerSec, i - j + 1);
    }
    const growthMb = (rss1 - rss0) / 1024;
    // Log times are dial starts, a few ms after the admission the limiter counts: 0.99 s windows. Upstream-side
    // times carry dial jitter (tens of ms under load): 0.9 s windows.
    const ok = maxOpen <= 20 && maxPerSec <= 5 && !(growthMb > 50);
    return {
      id: 'reconnect-storm', title: `reconnect storm: ${attempts} connects from one IP in ${spreadMs} ms (default limits 20 open, 5 new/s)`, ok,
      figures: { attempts, admitted: admittedAt.length, maxOpenUpstream: maxOpen, maxAdmittedPerWindow: maxPerSec, window: source === 'gateway log' ? '0.99 s (gateway log)' : '0.9 s (upstream)', rejected: JSON.stringify(statuses), rssGrowthMb: Math.round(growthMb * 10) / 10 },
      detail: `${admittedAt.length} admitted, at most ${maxOpen} open at once and ${maxPerSec} in any ${source === 'gateway log' ? '0.99 s (gateway log times)' : '0.9 s (upstream times)'}; RSS ${Number.isFinite(growthMb) ? `+${growthMb.toFixed(1)} MB` : 'n/a'}`,
    };
  } finally {
    for (const ws of held) ws.terminate();
    await gw.stop();
    await up.close();
  }
}

/** SIGTERM with `sessions` live sessions: share of clients receiving 1012, time to exit (target 100 %, ≤ 10 s). */
export async function sigtermDrain(sessions: number, start: GwFactory): Promise<FaultResult> {
  const up = await startBenchUpstream({ mode: 'voice' });
  const gw = await start(upUrl(up.port));
  if (!gw.kill || !gw.exited) throw new Error('sigtermDrain needs a process gateway');
  try {
    const live = [];
    for (let i = 0; i < sessions; i += 25) live.push(...(await Promise.all(Array.from({ length: Math.min(25, sessions - i) }, (_, j) => openSession(gw.port, i + j + 1)))));
    const t0 = Date.now();
    gw.kill('SIGTERM');
    const exitCode = await Promise.race([gw.exited, sleep(15_000).then(() => 'timeout' as const)]);
    const exitMs = Date.now() - t0;
    const closes = await Promise.all(live.map((s) => Promise.race([s.closed, sleep(2000).then(() => ({ code: -1, at: 0 }))])));
    const codes: Record<string, number> = {};
    for (const c of closes) codes[String(c.code)] = (codes[String(c.code)] ?? 0) + 1;
    const got1012 = codes['1012'] ?? 0;
    const ok = got1012 === sessions && exitCode !== 'timeout' && exitMs <= 10_000;
    return {
      id: 'sigterm', title: `SIGTERM with ${sessions} live sessions`, ok,
      figures: { sessions, share1012: got1012 / sessions, exitMs, exitCode: String(exitCode), closeCodes: JSON.stringify(codes) },
      detail: `${got1012}/${sessions} got 1012; exited (${String(exitCode)}) after ${exitMs} ms`,
    };
  } finally {
    await gw.stop();
    await up.close();
  }
}
