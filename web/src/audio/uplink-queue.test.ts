import { describe, expect, it } from 'vitest';
import { UplinkQueue, type SendTarget } from './uplink-queue.ts';

/** A socket stand-in whose buffer only empties when the test says the network moved bytes. */
class SlowSocket implements SendTarget {
  bufferedAmount = 0;
  sent: number[] = [];
  send(data: Uint8Array): void {
    this.bufferedAmount += data.length;
    this.sent.push(data[0] as number);
  }
  transmit(bytes: number): void {
    this.bufferedAmount = Math.max(0, this.bufferedAmount - bytes);
  }
}

const packet = (id: number) => new Uint8Array(100).fill(id);

describe('UplinkQueue', () => {
  it('sends every frame at once while the socket keeps up', () => {
    const sock = new SlowSocket();
    const q = new UplinkQueue({ frameMs: 60 });
    for (let i = 0; i < 50; i++) {
      q.offer(sock, packet(i));
      sock.transmit(1000);
    }
    expect(sock.sent.length).toBe(50);
    expect(q.stats()).toMatchObject({ sentFrames: 50, droppedFrames: 0, queuedFrames: 0, sentBytes: 5000 });
  });

  it('caps the backlog at ~1 s of audio and drops the oldest frames first when the socket stalls', () => {
    const sock = new SlowSocket();
    const q = new UplinkQueue({ frameMs: 60 });
    for (let i = 0; i < 100; i++) q.offer(sock, packet(i)); // network frozen for 6 s of speech
    const s = q.stats();
    // ~1 s in the socket (17 × 100 B) and at most ~1 s locally; the rest dropped.
    expect(sock.sent.length).toBe(17);
    expect(s.queuedFrames).toBe(16);
    expect(s.droppedFrames).toBe(100 - 17 - 16);
    // When the network recovers the *newest* frames follow, in order.
    sock.transmit(1e9);
    q.drain(sock);
    expect(sock.sent.slice(17)).toEqual(Array.from({ length: 16 }, (_, k) => 84 + k));
  });

  it('clear() forgets queued frames', () => {
    const sock = new SlowSocket();
    const q = new UplinkQueue({ frameMs: 60, maxBacklogMs: 120 });
    for (let i = 0; i < 5; i++) q.offer(sock, packet(i));
    q.clear();
    expect(q.stats().queuedFrames).toBe(0);
  });
});
