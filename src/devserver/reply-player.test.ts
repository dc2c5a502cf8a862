import { describe, expect, it } from 'vitest';
import { FRAME_MS, PREBUFFER_PACKETS, ReplyPlayer } from './reply-player.ts';

const packets = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([i]));

describe('ReplyPlayer', () => {
  it('sends the prebuffer at once, then paces, and ends after the playback time', async () => {
    const p = new ReplyPlayer();
    const at: number[] = [];
    const t0 = performance.now();
    const done = await p.play(packets(8), () => { at.push(performance.now() - t0); return true; });
    expect(done).toBe(true);
    expect(at[PREBUFFER_PACKETS - 1]!).toBeLessThan(30);
    expect(at[7]!).toBeGreaterThanOrEqual((8 - PREBUFFER_PACKETS) * FRAME_MS - 2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(8 * FRAME_MS - 2);
  });

  it('cancel stops the stream at once, even during a sleep', async () => {
    const p = new ReplyPlayer();
    let sent = 0;
    const playing = p.play(packets(50), () => { sent++; return true; });
    setTimeout(() => p.cancel(), 100);
    const t0 = performance.now();
    expect(await playing).toBe(false);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(sent).toBeLessThan(PREBUFFER_PACKETS + 4);
  });

  it('a send that returns false ends the stream', async () => {
    const p = new ReplyPlayer();
    let sent = 0;
    expect(await p.play(packets(10), () => ++sent < 2)).toBe(false);
    expect(sent).toBe(2);
  });
});
