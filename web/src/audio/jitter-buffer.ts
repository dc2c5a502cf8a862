/**
 * Playout scheduler for downlink TTS audio (reliability-performance.md §4.3): decides *when* each
 * decoded chunk plays on the AudioContext clock. Pure arithmetic over a caller-supplied clock, so
 * it is unit-tested with a virtual clock and synthetic arrival traces.
 *
 * Policy
 * - Start after one packet: the first chunk of a reply plays as soon as it is decoded (plus a few ms
 *   of scheduling lead). XiaoZhi servers send 4–5 packets at once and then one per 60 ms
 *   (xiaozhi-protocol.md §4.3), which gives a natural cushion.
 * - Gapless: while audio is still queued, each chunk starts exactly at the previous chunk's end.
 * - Underrun: the queue ran dry and the new chunk leaves an audible gap (> 10 ms). Each underrun
 *   grows the start-up target by one frame (≤ 180 ms), so the restart is padded and the next
 *   stall is absorbed; after 10 s without an underrun the target shrinks by one frame.
 * - Gaps between replies (after `endStream`) and after a flush (barge-in) are not underruns.
 */

/** Tunables; every value is in milliseconds. */
export interface JitterBufferOptions {
  /** Nominal packet duration (the server hello's frame_duration). Default 60. */
  frameMs?: number;
  /** Start-up target in ms of audio; one frame by default. */
  baseTargetMs?: number;
  /** Ceiling for the grown target. Default 180. */
  maxTargetMs?: number;
  /** A gap longer than this is an underrun. Default 10. */
  underrunGapMs?: number;
  /** Clean playing time before the target shrinks one step. Default 10 000. */
  shrinkAfterMs?: number;
  /** Headroom so a start time is never already in the past when the node is created. Default 10. */
  leadMs?: number;
  /** Chunks that would play later than this are dropped (runaway queue). Default 3000. */
  maxDepthMs?: number;
}

/** Where one chunk goes, in clock seconds. */
export interface Placement {
  /** Start time on the clock, seconds. */
  at: number;
  /** True if this chunk restarted playback after an underrun. */
  afterUnderrun: boolean;
  /** True for the first chunk of a reply. */
  first: boolean;
}

/** Counters published to the stats panel. */
export interface JitterStats {
  underruns: number;
  lateDrops: number;
  targetMs: number;
  /** Depth sampled at every placement: running mean and max, ms. */
  meanDepthMs: number;
  maxDepthMs: number;
  chunks: number;
}

export class JitterBuffer {
  private readonly o: Required<JitterBufferOptions>;
  private target: number;
  /** Clock time (s) when the last scheduled chunk ends; 0 when nothing is scheduled. */
  private nextEnd = 0;
  private inStream = false;
  private startedInStream = false;
  /** Clock time (s) of the last underrun or target change; drives shrinking. */
  private lastChangeAt = 0;
  private s = { underruns: 0, lateDrops: 0, depthSum: 0, maxDepthMs: 0, chunks: 0 };

  constructor(opts: JitterBufferOptions = {}) {
    const frameMs = opts.frameMs ?? 60;
    this.o = {
      frameMs,
      baseTargetMs: opts.baseTargetMs ?? frameMs,
      maxTargetMs: opts.maxTargetMs ?? 180,
      underrunGapMs: opts.underrunGapMs ?? 10,
      shrinkAfterMs: opts.shrinkAfterMs ?? 10_000,
      leadMs: opts.leadMs ?? 10,
      maxDepthMs: opts.maxDepthMs ?? 3000,
    };
    this.target = this.o.baseTargetMs;
  }

  /** A new reply begins (`tts start`): its first chunk starts immediately, without counting a gap. */
  beginStream(): void {
    this.inStream = true;
    this.startedInStream = false;
  }

  /** The reply ended (`tts stop`): a later silence is not an underrun. */
  endStream(): void {
    this.inStream = false;
  }

  /** Forget everything scheduled (barge-in / abort). The caller stops its sources. */
  flush(): void {
    this.nextEnd = 0;
    this.startedInStream = false;
  }

  /**
   * Places a chunk of `durationS` seconds that is ready at clock time `now` (seconds).
   * Returns null if the chunk is dropped because the queue is already `maxDepthMs` deep.
   */
  place(durationS: number, now: number): Placement | null {
    const lead = this.o.leadMs / 1000;
    this.maybeShrink(now);
    const depthMs = Math.max(0, this.nextEnd - now) * 1000;
    if (depthMs + durationS * 1000 > this.o.maxDepthMs) {
      this.s.lateDrops++;
      return null;
    }
    let at: number;
    let afterUnderrun = false;
    const first = !this.startedInStream;
    if (this.nextEnd > now + lead) {
      at = this.nextEnd;
    } else {
      const gapMs = (now + lead - this.nextEnd) * 1000;
      if (this.startedInStream && this.inStream && gapMs > this.o.underrunGapMs) {
        afterUnderrun = true;
        this.s.underruns++;
        this.target = Math.min(this.o.maxTargetMs, this.target + this.o.frameMs);
        this.lastChangeAt = now;
      }
      // Pad the (re)start so that `target` ms are queued when the first sample plays.
      const pad = Math.max(lead, this.target / 1000 - durationS);
      at = now + pad;
    }
    if (first) this.lastChangeAt = Math.max(this.lastChangeAt, now);
    this.startedInStream = true;
    this.nextEnd = at + durationS;
    const depthAfter = (this.nextEnd - now) * 1000;
    this.s.chunks++;
    this.s.depthSum += depthAfter;
    this.s.maxDepthMs = Math.max(this.s.maxDepthMs, depthAfter);
    return { at, afterUnderrun, first };
  }

  /** Audio scheduled ahead of `now`, ms. */
  depthMs(now: number): number {
    return Math.max(0, this.nextEnd - now) * 1000;
  }

  /** Clock time at which everything scheduled so far has played (0 if nothing). */
  get endTime(): number {
    return this.nextEnd;
  }

  get targetMs(): number {
    return this.target;
  }

  stats(): JitterStats {
    return {
      underruns: this.s.underruns,
      lateDrops: this.s.lateDrops,
      targetMs: this.target,
      meanDepthMs: this.s.chunks ? this.s.depthSum / this.s.chunks : 0,
      maxDepthMs: this.s.maxDepthMs,
      chunks: this.s.chunks,
    };
  }

  private maybeShrink(now: number): void {
    if (this.target <= this.o.baseTargetMs) return;
    if ((now - this.lastChangeAt) * 1000 >= this.o.shrinkAfterMs) {
      this.target = Math.max(this.o.baseTargetMs, this.target - this.o.frameMs);
      this.lastChangeAt = now;
    }
  }
}
