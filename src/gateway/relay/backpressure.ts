/**
 * Backpressure for one direction of a session (reliability-performance.md §2.3, ecosystem.md §2):
 * 1. destination `bufferedAmount` above `maxBufferedBytes` → pause the source (TCP pushes back on it);
 * 2. still congested after `audioDropAfterMs` (~2 s of voice) → resume the source and queue here:
 *    audio is dropped oldest-first beyond the bounds, JSON is never dropped — if it cannot fit under
 *    `hardBufferedBytes` the session closes 1013;
 * 3. destination drained below half the threshold → flush the queue in order and return to direct relaying.
 * The steady state allocates nothing: `queue` stays null until step 2.
 */
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { CounterChild } from '../metrics.ts';
import type { RelayContext } from './context.ts';
import { overloaded } from './session-ends.ts';
import type { Session } from './session.ts';

const BINARY = Object.freeze({ binary: true });
const TEXT = Object.freeze({ binary: false });

interface Queued {
  data: Buffer;
  /** Audio: may be dropped. In splice mode only a complete one-frame binary message is. */
  binary: boolean;
  /** Splice mode: `data` is a whole encoded frame for the raw socket, not a payload for `send`. */
  raw: boolean;
  at: number;
}

export class Pipe {
  /** 0 when flowing; epoch ms when the destination first went over the threshold. */
  blockedSince = 0;
  /** Non-null only while shedding (step 2). */
  queue: Queued[] | null = null;
  queueBytes = 0;
  queueAudioBytes = 0;
  dropped = 0;
  /** Splice mode (splice.ts): the destination's own socket, which relayed frames are written to as they came. */
  rawDest: Duplex | null = null;

  constructor(
    readonly s: Session,
    /** 'up' = browser → server, 'down' = server → browser. */
    readonly dir: 'up' | 'down',
    private readonly droppedCounter: CounterChild,
    private readonly pauseCounter: CounterChild,
  ) {}

  source(): WebSocket | null {
    return this.dir === 'up' ? this.s.client : this.s.upstream;
  }

  dest(): WebSocket | null {
    return this.dir === 'up' ? this.s.upstream : this.s.client;
  }

  /** Relay one frame. Hot path: no allocation unless shedding. */
  forward(ctx: RelayContext, data: Buffer, isBinary: boolean): void {
    const dest = this.dir === 'up' ? this.s.upstream : this.s.client;
    if (dest === null || dest.readyState !== WebSocket.OPEN) return; // session is ending
    if (this.queue !== null) return this.enqueue(ctx, dest, data, isBinary, false);
    dest.send(data, isBinary ? BINARY : TEXT);
    if (this.blockedSince === 0 && dest.bufferedAmount > ctx.o.maxBufferedBytes) this.congest(ctx);
  }

  /** Splice mode: relay whole frames exactly as they arrived (one write, no re-framing). */
  forwardRaw(ctx: RelayContext, frames: Buffer, droppable: boolean): void {
    const dest = this.dir === 'up' ? this.s.upstream : this.s.client;
    if (dest === null || dest.readyState !== WebSocket.OPEN || this.rawDest === null) return;
    if (this.queue !== null) return this.enqueue(ctx, dest, frames, droppable, true);
    this.rawDest.write(frames);
    if (this.blockedSince === 0 && dest.bufferedAmount > ctx.o.maxBufferedBytes) this.congest(ctx);
  }

  private put(dest: WebSocket, data: Buffer, binary: boolean, raw: boolean): void {
    if (raw) this.rawDest?.write(data);
    else dest.send(data, binary ? BINARY : TEXT);
  }

  private congest(ctx: RelayContext): void {
    this.blockedSince = Date.now();
    this.source()?.pause();
    this.pauseCounter.inc();
    ctx.blocked.add(this);
    ctx.startSweeper();
  }

  private enqueue(ctx: RelayContext, dest: WebSocket, data: Buffer, isBinary: boolean, raw: boolean): void {
    const q = this.queue!;
    if (q.length === 0 && dest.bufferedAmount < ctx.o.maxBufferedBytes) {
      this.put(dest, data, isBinary, raw);
      return;
    }
    q.push({ data, binary: isBinary, raw, at: Date.now() });
    this.queueBytes += data.length;
    if (isBinary) {
      this.queueAudioBytes += data.length;
      while (this.queueAudioBytes > ctx.o.maxBufferedBytes) this.dropOldestAudio();
    } else if (dest.bufferedAmount + this.queueBytes > ctx.o.hardBufferedBytes) {
      overloaded(this.s, this.dir);
    }
  }

  private dropOldestAudio(): void {
    const q = this.queue!;
    const i = q.findIndex((e) => e.binary);
    if (i < 0) return;
    const [e] = q.splice(i, 1);
    this.queueBytes -= e!.data.length;
    this.queueAudioBytes -= e!.data.length;
    this.dropped++;
    this.droppedCounter.inc();
  }

  /** Called by the shared sweeper while this pipe is congested. */
  sweep(ctx: RelayContext, now: number): void {
    const dest = this.dest();
    const src = this.source();
    if (dest === null || src === null || dest.readyState !== WebSocket.OPEN || this.s.state !== 'open') {
      this.release(ctx);
      return;
    }
    const low = ctx.o.maxBufferedBytes >>> 1;
    if (this.queue === null) {
      if (dest.bufferedAmount <= low) {
        this.release(ctx);
        src.resume();
      } else if (now - this.blockedSince >= ctx.o.audioDropAfterMs) {
        this.queue = []; // start shedding: keep reading the source so its JSON and pongs flow
        src.resume();
      }
      return;
    }
    const q = this.queue;
    // Audio older than the drop window is stale for a voice conversation: drop it, oldest first.
    while (q.length > 0 && q[0]!.binary && now - q[0]!.at > ctx.o.audioDropAfterMs) this.dropOldestAudio();
    while (q.length > 0 && dest.bufferedAmount < ctx.o.maxBufferedBytes) {
      const e = q.shift()!;
      this.queueBytes -= e.data.length;
      if (e.binary) this.queueAudioBytes -= e.data.length;
      this.put(dest, e.data, e.binary, e.raw);
    }
    if (q.length === 0 && dest.bufferedAmount <= low) this.release(ctx);
  }

  /** Back to direct relaying (or session over). */
  release(ctx: RelayContext): void {
    this.blockedSince = 0;
    this.queue = null;
    this.queueBytes = 0;
    this.queueAudioBytes = 0;
    ctx.blocked.delete(this);
  }
}
