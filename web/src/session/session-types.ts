/** Types shared by the session state machine, its message handlers and the views. */
import type { AudioParams } from '../../../src/protocol/audio-params.ts';
import type { CloseDiagnosis } from './close-diagnosis.ts';

/** The members of a WebSocket the session uses (browser WebSocket and the `ws` client both fit). */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Connection phase; `reached` records the stages passed in this attempt. */
export interface SessionStatus {
  phase: 'idle' | 'connecting' | 'open' | 'ready' | 'reconnecting' | 'closed' | 'failed';
  reached: { gateway: boolean; upstream: boolean; hello: boolean };
  sessionId: string;
  /** Reconnect attempts since the last ready session. */
  attempt: number;
  /** Why the last attempt ended (kept while reconnecting / after failure). */
  failure?: CloseDiagnosis;
  retryInMs?: number | undefined;
}

/** What the conversation is doing. */
export type TurnState = 'idle' | 'listening' | 'thinking' | 'speaking';

/** One line of the conversation view. Text is always rendered as text, never HTML. */
export interface ConversationEntry {
  kind: 'user' | 'assistant' | 'emotion' | 'alert' | 'system';
  text: string;
  at: number;
  emotion?: string;
  status?: string;
}

/** Events of {@link XiaozhiSession}. */
export interface SessionEvents extends Record<string, unknown> {
  status: SessionStatus;
  turn: TurnState;
  entry: ConversationEntry;
  /** The server hello arrived: downlink audio parameters are known. */
  ready: { sessionId: string; downlink: AudioParams };
  /** Mic frames should (true) / should no longer (false) be captured and sent. */
  streaming: boolean;
  /** One downlink Opus packet while speaking. */
  audio: Uint8Array;
  /** Downlink bytes dropped (not speaking, or after barge-in). */
  audioDropped: number;
  ttsStart: undefined;
  ttsStop: undefined;
  /** Stop playback now (barge-in or session end). */
  flush: undefined;
  emotion: { emotion: string; text?: string | undefined };
  /** An MCP JSON-RPC payload from the server; the app answers with `sendMcp`. */
  mcp: Record<string, unknown>;
  /** Legacy IoT commands (§3.5). */
  iot: { name: string; method: string; parameters?: Record<string, unknown> | undefined }[];
  /** `system` command from the server (only `reboot` exists). */
  systemCommand: string;
  /** Every JSON message we sent (tests and the debug panel read it). */
  sent: Record<string, unknown>;
}
