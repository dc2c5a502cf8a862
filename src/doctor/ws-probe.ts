/**
 * A doctor-side WebSocket leg: opens with the four handshake headers (protocol §2.2), buffers what the
 * server sends, answers MCP requests minimally (§7) and lets stages wait for "the next thing".
 */
import WebSocket from 'ws';
import { MCP_PROTOCOL_VERSION, RPC_ERRORS, classifyRpc, rpcError, rpcResult } from '../protocol/mcp-jsonrpc.ts';
import { parseServerMessage } from '../protocol/parse-message.ts';
import type { ServerMessage } from '../protocol/messages.ts';
import { trustStore } from '../node/http-post.ts';

export type ProbeEvent =
  | { kind: 'message'; message: ServerMessage; at: number }
  | { kind: 'text'; text: string; at: number } // unknown or unparsable text frames (e.g. ES "认证失败")
  | { kind: 'audio'; bytes: number; at: number }
  | { kind: 'close'; code: number; reason: string; at: number }
  | { kind: 'error'; error: Error; at: number };

export type OpenResult =
  | { ok: true; probe: WsProbe }
  | { ok: false; httpStatus: number; body: string }
  | { ok: false; error: unknown };

export interface OpenOptions {
  headers: Record<string, string>;
  ca?: string | Buffer;
  signal: AbortSignal;
}

/** One WebSocket connection under test. Always call `dispose()`. */
export class WsProbe {
  readonly events: ProbeEvent[] = [];
  closed?: { code: number; reason: string; at: number };
  #wake: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const at = performance.now();
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) return this.#push({ kind: 'audio', bytes: buf.length, at });
      const text = buf.toString('utf8');
      const parsed = parseServerMessage(text);
      if (parsed.kind === 'message') {
        if (parsed.message.type === 'mcp') this.#answerMcp(parsed.message.payload);
        this.#push({ kind: 'message', message: parsed.message, at });
      } else this.#push({ kind: 'text', text, at });
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8'), at: performance.now() };
      this.#push({ kind: 'close', ...this.closed });
    });
    ws.on('error', (error) => this.#push({ kind: 'error', error, at: performance.now() }));
  }

  /** Open `url`; an HTTP answer instead of 101 is reported with its status and a body snippet. */
  static open(url: string, o: OpenOptions): Promise<OpenResult> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, {
        headers: o.headers,
        perMessageDeflate: false, // never offered by firmware or py-xiaozhi (§2.2)
        followRedirects: false,
        ca: trustStore(o.ca),
      });
      let settled = false;
      const finish = (r: OpenResult) => {
        if (settled) return;
        settled = true;
        o.signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        ws.terminate();
        finish({ ok: false, error: o.signal.reason });
      };
      ws.on('error', (error) => finish({ ok: false, error }));
      ws.once('unexpected-response', (req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (chunks.length < 8) chunks.push(c); });
        const done = () => {
          req.destroy();
          finish({ ok: false, httpStatus: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 300) });
        };
        res.once('end', done);
        res.once('error', done);
        setTimeout(done, 500).unref(); // do not wait forever for a body
      });
      ws.once('open', () => finish({ ok: true, probe: new WsProbe(ws) }));
      if (o.signal.aborted) onAbort();
      else o.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Send one JSON control message. */
  send(msg: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /**
   * Wait until `pick` returns a value for some event at index ≥ `from`, or the signal aborts (→ undefined).
   * Returns the value and the index after the matching event.
   */
  async waitFor<T>(from: number, pick: (e: ProbeEvent) => T | undefined, signal: AbortSignal): Promise<{ value: T; next: number } | undefined> {
    let i = from;
    for (;;) {
      for (; i < this.events.length; i++) {
        const v = pick(this.events[i]!);
        if (v !== undefined) return { value: v, next: i + 1 };
      }
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.#wake = () => { signal.removeEventListener('abort', onAbort); resolve(); };
      });
      this.#wake = null;
    }
  }

  /** Close politely (1000) and make sure the socket is gone within `ms`. */
  async dispose(ms = 1000): Promise<void> {
    const ws = this.ws;
    if (ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { ws.terminate(); resolve(); }, ms);
      ws.once('close', () => { clearTimeout(t); resolve(); });
      try {
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'doctor done');
        else ws.terminate();
      } catch {
        ws.terminate();
      }
    });
  }

  #push(e: ProbeEvent): void {
    this.events.push(e);
    this.#wake?.();
  }

  /** The doctor is an MCP server with no tools: enough for servers that bootstrap MCP after hello (§7.2, §7.3). */
  #answerMcp(payload: Record<string, unknown>): void {
    const rpc = classifyRpc(payload);
    if (rpc.kind !== 'request') return;
    const { id, method } = rpc.message;
    let reply;
    if (method === 'initialize') {
      reply = rpcResult(id, { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: 'xiaozhi-web-doctor', version: '0.1.0' } });
    } else if (method === 'tools/list') {
      reply = rpcResult(id, { tools: [] });
    } else {
      reply = rpcError(id, RPC_ERRORS.METHOD_NOT_FOUND, `the doctor has no method ${method}`);
    }
    this.send({ type: 'mcp', payload: reply });
  }
}
