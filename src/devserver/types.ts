/** Public types of the devserver (docs/devserver.md). */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AuthMode } from './auth.ts';

/** Misbehaviours switched on demand (options, `setFaults`, POST /xiaozhi/devserver/faults). */
export interface Faults {
  /** Accept the client hello but never answer it. */
  noHello: boolean;
  /** Answer hello, then close with an empty Close frame (client sees 1005). */
  closeAfterHello: boolean;
  /** Refuse the WebSocket upgrade with this HTTP status (0 = off). */
  rejectUpgrade: 0 | 401 | 403 | 500;
  /** Destroy the TCP connection (no Close frame → 1006) after a few reply audio packets. */
  dropMidTurn: boolean;
  /** Delay the 101 Switching Protocols answer by this many ms. */
  handshakeDelayMs: number;
  /** Stop reading the socket (pause) once hello is answered; applies to open sessions at once. */
  stopReading: boolean;
}

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  noHello: false, closeAfterHello: false, rejectUpgrade: 0, dropMidTurn: false, handshakeDelayMs: 0, stopReading: false,
});

export interface DevServerOptions {
  /** Default 8765; tests pass 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'cloud'. */
  auth?: AuthMode;
  /** token mode HMAC key (random if absent). */
  authKey?: string;
  /** token-mode whitelist (ES `allowed_devices`). */
  allowedDevices?: string[];
  /** Activation codes approve themselves (demo). */
  autoApprove?: boolean;
  /** Default 10000. */
  helloTimeoutMs?: number;
  /** Activation code lifetime, default 10 min. */
  codeTtlMs?: number;
  faults?: Partial<Faults>;
  /** Serve https/wss. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** External TTS for text turns, e.g. `espeak-ng --stdout` (text is appended as the last argument; WAV on stdout). */
  ttsCommand?: string;
  /** Default: pino at info to stderr; `false` = silent. */
  logger?: Logger | false;
  /** JSON file persisting activated devices across restarts. */
  dataFile?: string;
}

export type HeadersSource = 'header' | 'query';

export interface ConnectionEvent { id: string; deviceId: string | undefined; clientId: string | undefined; protocolVersion: 1 | 2 | 3; headersSource: HeadersSource }
export interface HelloEvent { id: string; sessionId: string; hello: Record<string, unknown>; answered: boolean }
export interface TurnEvent { id: string; mode: 'auto' | 'manual' | 'realtime' | 'text'; durationMs: number; level: number; text?: string; reply: string }
export interface UplinkAudioEvent { id: string; pcm16k: Int16Array }
export interface ClosedEvent { id: string; code: number }
export interface McpToolsEvent { id: string; tools: Record<string, unknown>[]; pages: number }
export interface McpResultEvent { id: string; name: string; ok: boolean; result: unknown }

export interface DevServerEventMap {
  connection: [ConnectionEvent];
  hello: [HelloEvent];
  turn: [TurnEvent];
  uplinkAudio: [UplinkAudioEvent];
  closed: [ClosedEvent];
  mcpInitialized: [{ id: string; result: unknown }];
  mcpTools: [McpToolsEvent];
  mcpResult: [McpResultEvent];
}

export interface McpCallOutcome { connectionId: string; ok: boolean; result?: unknown; error?: string }

export interface DevServer {
  port: number;
  /** ws(s)://127.0.0.1:PORT/xiaozhi/v1/ */
  wsUrl: string;
  /** http(s)://127.0.0.1:PORT/xiaozhi/ota/ */
  otaUrl: string;
  /** http(s)://127.0.0.1:PORT */
  baseUrl: string;
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
  /** What a person does on xiaozhi.me. */
  enterCode(code: string): boolean;
  /** Test shortcut: mark a device activated. */
  activateDevice(deviceId: string): void;
  /** ES-format token (token mode key). */
  makeToken(clientId: string, deviceId: string): string;
  /** MCP tools/call on every MCP-enabled session (or one, by connection id). */
  callTool(name: string, args: Record<string, unknown>, connectionId?: string): Promise<McpCallOutcome[]>;
  events: EventEmitter<DevServerEventMap>;
  connectionCount(): number;
  close(): Promise<void>;
}
