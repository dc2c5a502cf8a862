/**
 * Relay core contract (owned by the relay part; the HTTP part calls it from its `upgrade` handler).
 *
 * Design choice (reliability-performance.md §2.2 option a, "upstream first"): the upstream WebSocket is
 * dialled *before* the browser upgrade completes, so the browser's `open` fires only after the XiaoZhi
 * server accepted the handshake and a `hello` sent on `open` can never be lost or reordered. Upstream
 * failures still complete the browser handshake and then close with the catalogue's 4xxx code and reason,
 * because a browser cannot read an HTTP status from a failed WebSocket handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { XzErrorCode } from '../../protocol/errors.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { Logger } from '../../node/logger.ts';

/** Where one session's upstream leg goes. Never derived from client input (SSRF, §2.13). */
export interface UpstreamTarget {
  /** ws:// or wss:// URL, fixed by configuration or a stored profile's OTA reply — never by the client. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`; omitted when empty (firmware rule, protocol §2.2). */
  token?: string;
  deviceId: string;
  clientId: string;
  protocolVersion: 1 | 2 | 3;
  /** Extra trusted CA (UPSTREAM_CA_FILE). TLS verification is always on. */
  ca?: string | Buffer;
  /** Facts used only for diagnosis and logs. */
  context: { profileName?: string; deviceActivated?: boolean; via: 'legacy-query' | 'ticket' };
}

export interface RelayOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Browser → gateway message cap; larger messages close 1009. Default 65536. */
  maxClientMessageBytes?: number;
  /** Upstream → gateway message cap. Default 1048576. */
  maxUpstreamMessageBytes?: number;
  /** Upstream TCP+TLS+HTTP upgrade deadline. Default 10000 (the device's own hello timeout). */
  upstreamConnectTimeoutMs?: number;
  /**
   * Ping period for both legs; a leg that misses two pongs is terminated on the next tick, so a dead leg
   * is found within three periods. Default 18000: 36–54 s detection, inside the 60 s goal with room for timer
   * lateness (25 s measured 75 s; 20 s measured 60.0 s, exactly the bound; docs/benchmarks.md).
   */
  keepaliveIntervalMs?: number;
  /**
   * Bound for bytes that arrive before both legs are open. A browser cannot send before its `open` (which
   * fires only after the upstream opened), so only non-browser clients hit this: their early bytes are
   * held and handed to the relay in order; beyond `bytes` the session closes 1013. The time bound is the
   * upstream connect timeout; `frames` is implied by `bytes` (no parsing before the upgrade).
   * Default { frames: 64, bytes: 262144, ms: 10000 }.
   */
  earlyQueue?: { frames: number; bytes: number; ms: number };
  /**
   * A destination whose `bufferedAmount` exceeds this pauses its source (`ws.pause()`), and the
   * source resumes when it drains below half. Default 65536.
   */
  maxBufferedBytes?: number;
  /**
   * Audio is dropped once the destination has been unable to drain for this long (≈2 s of voice);
   * text (JSON) is never dropped silently: it closes 1013 instead. Default 2000.
   */
  audioDropAfterMs?: number;
  /** Hard cap of bytes queued towards one destination before the session closes 1013. Default 262144. */
  hardBufferedBytes?: number;
  /**
   * The server must answer the client's hello within this long, else the browser gets 4030
   * (XZ_HELLO_TIMEOUT) and the upstream 1000 — the device's own rule (protocol §2.6). 0 disables.
   * Default 10000.
   */
  helloTimeoutMs?: number;
  /** Close frames are awaited this long before a leg is terminated. Default 5000. */
  closeTimeoutMs?: number;
  /**
   * `splice` (default): once both legs are open, data frames are relayed as the bytes that arrived, with
   * every header checked (splice.ts). `framed`: every message is parsed and re-sent by `ws`. Same rules,
   * same codes; splice costs about a fifth less CPU per frame (docs/benchmarks.md).
   */
  mode?: 'splice' | 'framed';
}

/** What the relay remembers about a session (open or recently closed). */
export interface SessionRecord {
  id: string;
  /** sha256 prefix of the Device-Id: never the raw value. */
  deviceIdHash: string;
  via: 'legacy-query' | 'ticket';
  profileName?: string;
  /** Epoch ms. */
  startedAt: number;
  upstreamOpenAt?: number;
  closedAt?: number;
  /** 'dialing' | 'open' | 'closing' | 'closed'. */
  state: 'dialing' | 'open' | 'closing' | 'closed';
  helloSent: boolean;
  helloAnswered: boolean;
  /** Server hello round trip, ms (client hello → server hello). */
  helloRttMs?: number;
  sessionIdSeen: boolean;
  /** How data frames were relayed: `splice` (bytes as they arrived) or `framed` (parsed by ws). */
  relayMode?: 'splice' | 'framed';
  framesUp: number;
  framesDown: number;
  bytesUp: number;
  bytesDown: number;
  droppedAudioDown: number;
  droppedAudioUp: number;
  /** Close as seen from each side: the code received (or locally reported) and the code we sent. */
  clientClose?: { code: number; reason: string; by: 'client' | 'gateway' };
  upstreamClose?: { code: number; reason: string; by: 'upstream' | 'gateway' };
  /** Best explanation of how the session ended (catalogue code + both languages). */
  diagnosis?: { code: XzErrorCode; en: string; zh: string };
}

export interface Relay {
  /** Called from the HTTP server's 'upgrade' event after Origin/access/limit checks passed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpstreamTarget): void;
  /**
   * Refuse a connection with a catalogue error. When `req` is given and the entry has a close code, the
   * WebSocket handshake is completed and closed with that code + reason (what a browser can read);
   * otherwise the entry's HTTP status is answered as plain HTTP (cheap path for 429/503 floods).
   */
  rejectUpgrade(socket: Duplex, code: XzErrorCode, req?: IncomingMessage): void;
  sessionCount(): number;
  /** The last ~100 sessions (open ones included), newest last. */
  recentSessions(): SessionRecord[];
  /** Browsers get 1012, upstreams 1001; leftovers are terminated at the deadline (default 5000 ms). */
  shutdown(deadlineMs?: number): Promise<void>;
}

export { createRelay } from './create-relay.ts';
