/**
 * `window.__xiaozhi`: a read-mostly hook for browser tests (test/browser) and debugging.
 * Exposes state, the measured output level, stats and tool calls; never any credential.
 */
import type { VoiceApp } from './voice-app.ts';

export interface XiaozhiTestHook {
  readonly app: VoiceApp | null;
  state(): unknown;
  /** Output RMS after the volume gain, read from the AnalyserNode now. */
  outputLevel(): number;
  /** Microphone RMS (0..1) of the latest capture batch; null until the mic is open. */
  inputLevel(): number | null;
  stats(): unknown;
  toolCalls(): unknown;
  /** JSON messages the page sent (hello, listen, abort, mcp…), newest last. */
  sent(): Record<string, unknown>[];
  /**
   * Connection progress in the order seen: each new phase by name and each stage as it becomes
   * reached (`gateway`, `upstream`, `hello`), stages before the phase of the same update.
   */
  stages(): string[];
}

declare global {
  interface Window {
    __xiaozhi?: XiaozhiTestHook;
  }
}

let current: VoiceApp | null = null;
const sent: Record<string, unknown>[] = [];
const stages: string[] = [];
const STAGES = ['gateway', 'upstream', 'hello'] as const;

/** Points the hook at the active app (called whenever the profile's app is created). */
export function attachTestHook(app: VoiceApp | null): void {
  current = app;
  sent.length = 0;
  stages.length = 0;
  app?.session.on('sent', (m) => {
    sent.push(m);
    if (sent.length > 200) sent.shift();
  });
  let prev = app?.session.status;
  app?.session.on('status', (st) => {
    for (const k of STAGES) if (st.reached[k] && !prev?.reached[k]) stages.push(k);
    if (st.phase !== prev?.phase) stages.push(st.phase);
    prev = st;
    if (stages.length > 200) stages.splice(0, stages.length - 200);
  });
  if (typeof window === 'undefined') return;
  window.__xiaozhi ??= {
    get app() {
      return current;
    },
    state: () => {
      const s = current?.store.get();
      return s ? { phase: s.status.phase, reached: s.status.reached, sessionId: s.status.sessionId, turn: s.turn, handsFree: s.handsFree, entries: s.entries, failure: s.status.failure ?? null } : null;
    },
    outputLevel: () => current?.player?.level() ?? 0,
    inputLevel: () => current?.inputLevel ?? null,
    stats: () => ({ ...current?.store.get().stats, player: current?.player?.stats() ?? null, uplink: current?.session.uplinkQueue.stats() ?? null }),
    toolCalls: () => current?.mcp.calls ?? [],
    sent: () => [...sent],
    stages: () => [...stages],
  };
}
