/**
 * Uplink pacing policy (reliability-performance.md §4.3): mic frames go to the socket as soon as
 * they are encoded, unless the socket is already backed up by more than ~1 s of audio. Then they
 * wait in a small local queue capped at the same 1 s, dropping the *oldest* frames first, so the
 * server hears the most recent speech instead of an ever-growing backlog.
 */

/** The two members of a browser WebSocket this policy needs. */
export interface SendTarget {
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
}

export interface UplinkQueueOptions {
  /** Duration of one frame, ms. */
  frameMs: number;
  /** Backlog allowed (socket + local queue), ms of audio. Default 1000. */
  maxBacklogMs?: number;
}

export interface UplinkStats {
  sentFrames: number;
  sentBytes: number;
  droppedFrames: number;
  queuedFrames: number;
}

export class UplinkQueue {
  private readonly frameMs: number;
  private readonly maxBacklogMs: number;
  private readonly queue: Uint8Array[] = [];
  /** Running mean packet size, bytes; turns bufferedAmount into ms of audio. */
  private meanBytes = 0;
  private s = { sentFrames: 0, sentBytes: 0, droppedFrames: 0 };

  constructor(opts: UplinkQueueOptions) {
    this.frameMs = opts.frameMs;
    this.maxBacklogMs = opts.maxBacklogMs ?? 1000;
  }

  /** Offers one encoded packet; sends what the socket can take now. */
  offer(target: SendTarget, packet: Uint8Array): void {
    this.meanBytes = this.meanBytes === 0 ? packet.length : this.meanBytes * 0.9 + packet.length * 0.1;
    this.queue.push(packet);
    const maxQueued = Math.max(1, Math.floor(this.maxBacklogMs / this.frameMs));
    while (this.queue.length > maxQueued) {
      this.queue.shift();
      this.s.droppedFrames++;
    }
    this.drain(target);
  }

  /** Sends queued packets while the socket holds less than the allowed backlog. */
  drain(target: SendTarget): void {
    while (this.queue.length > 0 && this.socketBacklogMs(target) < this.maxBacklogMs) {
      const p = this.queue.shift() as Uint8Array;
      target.send(p);
      this.s.sentFrames++;
      this.s.sentBytes += p.length;
    }
  }

  /** Forgets queued packets (listening stopped or socket replaced). */
  clear(): void {
    this.queue.length = 0;
  }

  /** ms of audio the socket is still holding, estimated from the mean packet size. */
  socketBacklogMs(target: SendTarget): number {
    if (this.meanBytes === 0) return 0;
    return (target.bufferedAmount / this.meanBytes) * this.frameMs;
  }

  stats(): UplinkStats {
    return { ...this.s, queuedFrames: this.queue.length };
  }
}
