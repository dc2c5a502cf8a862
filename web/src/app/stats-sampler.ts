/**
 * Collects the numbers the stats panel draws: uplink/downlink kbps, jitter-buffer depth and output
 * level, sampled ~4 times a second (never per packet or per audio quantum: aesthetics §7.6).
 */
import type { PlayerStats } from '../audio/player.ts';
import { RateMeter } from '../audio/rate-meter.ts';

export interface VoiceStats {
  upKbps: number;
  downKbps: number;
  upHistory: number[];
  downHistory: number[];
  depthHistory: number[];
  levelHistory: number[];
  player: PlayerStats | null;
  upDropped: number;
  upCodec: string | null;
}

export const EMPTY_STATS: VoiceStats = Object.freeze({
  upKbps: 0, downKbps: 0, upHistory: [], downHistory: [], depthHistory: [], levelHistory: [], player: null, upDropped: 0, upCodec: null,
}) as VoiceStats;

const HISTORY = 60;

export class StatsSampler {
  private readonly up = new RateMeter(2000, HISTORY);
  private readonly down = new RateMeter(2000, HISTORY);
  private readonly depth: number[] = [];
  private readonly level: number[] = [];

  /** Counts one uplink packet (bytes). */
  uplink(bytes: number, nowMs: number): void {
    this.up.add(bytes, nowMs);
  }

  /** Counts one downlink packet (bytes). */
  downlink(bytes: number, nowMs: number): void {
    this.down.add(bytes, nowMs);
  }

  /** Takes one sample; returns the snapshot for the view. */
  sample(nowMs: number, s: { player: PlayerStats | null; outLevel: number; upDropped: number; upCodec: string | null }): VoiceStats {
    push(this.depth, s.player?.depthMs ?? 0);
    push(this.level, s.outLevel);
    return {
      upKbps: this.up.sample(nowMs),
      downKbps: this.down.sample(nowMs),
      upHistory: [...this.up.history],
      downHistory: [...this.down.history],
      depthHistory: [...this.depth],
      levelHistory: [...this.level],
      player: s.player,
      upDropped: s.upDropped,
      upCodec: s.upCodec,
    };
  }
}

function push(a: number[], v: number): void {
  a.push(v);
  if (a.length > HISTORY) a.shift();
}
