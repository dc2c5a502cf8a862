/**
 * Backpressure (reliability-performance.md §2.3): a browser that stops reading while the upstream floods
 * audio must not grow the gateway's memory; audio is dropped (counted), JSON never silently — a JSON flood
 * to a stalled reader ends in 1013. Scaled to a few seconds (the 60 s run belongs to the benchmark suite):
 * audioDropAfterMs 300 ms stands in for 2 s.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startDevServer } from '../../src/devserver/index.ts';
import { connectClient, rawClient, startRelayHarness, target, waitFor, type RelayHarness } from './relay-harness.ts';

// Collect garbage before each sample so dropped frames awaiting GC do not count as held memory.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

let child: ChildProcess;
let h: RelayHarness;

beforeAll(async () => {
  // The flooding upstream runs in its own process: memory measured here is the relay's alone.
  child = spawn(process.execPath, ['--import', 'tsx', new URL('./relay-upstream-main.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const up = JSON.parse(line.toString()) as { url: string };
  h = await startRelayHarness((req) => target(`${up.url}?${new URL(req.url ?? '/', 'http://x').searchParams.get('q') ?? ''}`), {
    audioDropAfterMs: 300,
    closeTimeoutMs: 1000,
  });
});

afterAll(async () => {
  await h.close();
  child.kill('SIGTERM');
});

const bytesDown = () => h.metrics.bytes.get({ direction: 'down' });

describe('slow reader', () => {
  test('audio flood to a browser that stopped reading: memory stays bounded, audio is dropped and counted', async () => {
    const c = await rawClient(h.port, `/ws?q=${encodeURIComponent('flood=audio&size=1000')}`);
    c.sendText('{"type":"hello","version":1}');
    c.stopReading();
    // Let kernel buffers fill and the pause → shed sequence start, then measure the steady state.
    await waitFor(() => h.metrics.droppedAudioFrames.get({ direction: 'down' }) > 0, 8000, 'first dropped frame');
    gc();
    const base = process.memoryUsage();
    const bytesAtBase = bytesDown();
    const external: number[] = [];
    let peakRss = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      await new Promise((r) => setTimeout(r, 100));
      gc();
      const m = process.memoryUsage();
      external.push(m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    }
    const floodedBytes = bytesDown() - bytesAtBase;
    // What the relay holds for good is the floor of GC'd samples over the last second: single samples
    // also catch transient socket reads and backing stores the GC has not released yet (noisy under load),
    // while real buffering only grows, so it would lift the floor by megabytes.
    const floorExternal = Math.min(...external.slice(-10));
    const medianExternal = [...external].sort((a, b) => a - b)[external.length >> 1]!;
    const dropped = h.metrics.droppedAudioFrames.get({ direction: 'down' });
    // The upstream pushed megabytes in these 3 s; the gateway held on to at most its bounds.
    expect(floodedBytes).toBeGreaterThan(4 * 1024 * 1024);
    console.log(JSON.stringify({ floodedMB: +(floodedBytes / 2 ** 20).toFixed(1), floorExternalKB: Math.round(floorExternal / 1024), medianExternalKB: Math.round(medianExternal / 1024), maxExternalKB: Math.round(Math.max(...external) / 1024), peakRssKB: Math.round(peakRss / 1024), dropped }));
    try {
      // Unbounded buffering would hold tens of MB here (the flood runs at tens of MB/s).
      expect(floorExternal).toBeLessThan(512 * 1024);
      expect(peakRss).toBeLessThan(16 * 1024 * 1024);
      expect(dropped).toBeGreaterThan(1000);
      expect(h.relay.sessionCount()).toBe(1); // audio only: the session stays up
    } finally {
      c.socket.destroy();
    }
    await waitFor(() => h.relay.sessionCount() === 0, 3000, 'session closed');
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec.droppedAudioDown).toBeGreaterThanOrEqual(dropped);
    expect(rec.droppedAudioDown).toBe(h.metrics.droppedAudioFrames.get({ direction: 'down' }));
  });

  test('JSON flood to a browser that stopped reading closes 1013 instead of dropping JSON', async () => {
    const c = await rawClient(h.port, `/ws?q=${encodeURIComponent('flood=json&size=1000')}`);
    c.sendText('{"type":"hello","version":1}');
    c.stopReading();
    await waitFor(() => h.relay.sessionCount() === 0, 15000, 'session closed by the gateway');
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec.upstreamClose).toMatchObject({ code: 1001, by: 'gateway' });
    expect(rec.clientClose?.code).toBe(1013);
    expect(rec.diagnosis?.code).toBe('XZ_OVERLOADED');
    c.socket.destroy();
  });
});

describe('slow upstream', () => {
  test('devserver stops reading while the browser streams audio: the browser leg is paused, then old audio dropped', async () => {
    const dev = await startDevServer({ port: 0, auth: 'open', logger: false, faults: { stopReading: true } });
    const own = await startRelayHarness(target(dev.wsUrl), { audioDropAfterMs: 300 });
    try {
      const c = connectClient(own.url);
      c.ws.on('open', () => c.ws.send('{"type":"hello","version":1}'));
      await waitFor(() => c.messages.length > 0, 5000, 'server hello');
      const frame = Buffer.alloc(1000, 3);
      const t0 = Date.now();
      // Stream as fast as the browser's own buffer allows, ~3 s.
      while (Date.now() - t0 < 3000 && own.metrics.droppedAudioFrames.get({ direction: 'up' }) < 500) {
        while (c.ws.bufferedAmount < 512 * 1024) c.ws.send(frame);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(own.metrics.backpressurePauses.get({ direction: 'up' })).toBeGreaterThan(0);
      expect(own.metrics.droppedAudioFrames.get({ direction: 'up' })).toBeGreaterThan(0);
      expect(c.ws.readyState).toBe(c.ws.OPEN); // audio only: nothing forces a close
      c.ws.terminate();
      await waitFor(() => own.relay.sessionCount() === 0, 3000);
      expect(own.relay.recentSessions().at(-1)!.droppedAudioUp).toBeGreaterThan(0);
    } finally {
      await own.close();
      await dev.close();
    }
  });
});
