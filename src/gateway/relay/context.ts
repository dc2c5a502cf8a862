/** Shared state of one relay instance, handed to every session (one object, no per-session copies). */
import type { WebSocketServer } from 'ws';
import type { Logger } from '../../node/logger.ts';
import type { CounterChild, GatewayMetrics } from '../metrics.ts';
import type { Pipe } from './backpressure.ts';
import type { Session } from './session.ts';

export interface ResolvedRelayOptions {
  maxClientMessageBytes: number;
  maxUpstreamMessageBytes: number;
  upstreamConnectTimeoutMs: number;
  keepaliveIntervalMs: number;
  maxBufferedBytes: number;
  hardBufferedBytes: number;
  audioDropAfterMs: number;
  closeTimeoutMs: number;
  helloTimeoutMs: number;
  /** Bytes a client may send before the upstream opens (early-queue bound). */
  earlyBytes: number;
  mode: 'splice' | 'framed';
}

/** Fragments per message on either leg: 200 k empty fragments must not pin memory (reliability §2.4). */
export const MAX_FRAGMENTS = 1024;

/** Metric children bound once, so the per-frame path is a property add (reliability §2.16). */
export interface HotCounters {
  framesUpText: CounterChild;
  framesUpBinary: CounterChild;
  framesDownText: CounterChild;
  framesDownBinary: CounterChild;
  bytesUp: CounterChild;
  bytesDown: CounterChild;
  droppedUp: CounterChild;
  droppedDown: CounterChild;
  pausesUp: CounterChild;
  pausesDown: CounterChild;
}

export interface RelayContext {
  readonly o: ResolvedRelayOptions;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly hot: HotCounters;
  /** `noServer` WebSocketServer used only to complete browser upgrades. */
  readonly wss: WebSocketServer;
  /** Sessions dialing or open (what `sessionCount()` reports). */
  readonly sessions: Set<Session>;
  /** Pipes whose destination is congested; swept by one shared timer while non-empty. */
  readonly blocked: Set<Pipe>;
  startSweeper(): void;
  startKeepalive(): void;
  sessionEnded(s: Session): void;
}

export function bindHotCounters(m: GatewayMetrics): HotCounters {
  return {
    framesUpText: m.frames.labels({ direction: 'up', type: 'text' }),
    framesUpBinary: m.frames.labels({ direction: 'up', type: 'binary' }),
    framesDownText: m.frames.labels({ direction: 'down', type: 'text' }),
    framesDownBinary: m.frames.labels({ direction: 'down', type: 'binary' }),
    bytesUp: m.bytes.labels({ direction: 'up' }),
    bytesDown: m.bytes.labels({ direction: 'down' }),
    droppedUp: m.droppedAudioFrames.labels({ direction: 'up' }),
    droppedDown: m.droppedAudioFrames.labels({ direction: 'down' }),
    pausesUp: m.backpressurePauses.labels({ direction: 'up' }),
    pausesDown: m.backpressurePauses.labels({ direction: 'down' }),
  };
}
