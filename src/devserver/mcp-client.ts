/**
 * The server side of MCP over XiaoZhi (§7): the devserver is the MCP client. Sends `initialize`, pages
 * through `tools/list` by `nextCursor`, and makes `tools/call`. Id ranges are disjoint (§7.6):
 * 1 = initialize, 2–999 = tools/list pages, 1000+ = tools/call.
 */
import { classifyRpc, MCP_PROTOCOL_VERSION, rpcRequest } from '../protocol/mcp-jsonrpc.ts';

const INIT_ID = 1;
const LIST_FIRST_ID = 2;
const CALL_FIRST_ID = 1000;
const MAX_PAGES = 50;

export type McpCallResult = { ok: true; result: unknown; text?: string } | { ok: false; error: string };

interface Pending { resolve: (r: McpCallResult) => void; timer: NodeJS.Timeout }

export interface McpClientHooks {
  send(payload: Record<string, unknown>): void;
  onInitialized(result: unknown): void;
  onTools(tools: Record<string, unknown>[], pages: number): void;
  onProtocolError(detail: string): void;
}

export class McpClient {
  tools: Record<string, unknown>[] = [];
  toolsReady = false;
  #pending = new Map<number, Pending>();
  #nextListId = LIST_FIRST_ID;
  #nextCallId = CALL_FIRST_ID;
  #closed = false;

  constructor(private readonly hooks: McpClientHooks, private readonly timeoutMs = 10_000) {}

  /** initialize, then every tools/list page. Resolves when the list is complete (or failed). */
  async start(vision: { url: string; token: string }): Promise<void> {
    const init = await this.#request(INIT_ID, 'initialize', {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: { roots: { listChanged: true }, sampling: {}, vision },
      clientInfo: { name: 'xiaozhi-web-devserver', version: '0.1.0' },
    });
    if (!init.ok) return this.hooks.onProtocolError(`initialize failed: ${init.error}`);
    this.hooks.onInitialized(init.result);
    let cursor = '';
    const tools: Record<string, unknown>[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const id = this.#nextListId < CALL_FIRST_ID ? this.#nextListId++ : LIST_FIRST_ID;
      const r = await this.#request(id, 'tools/list', cursor ? { cursor } : {});
      if (!r.ok) return this.hooks.onProtocolError(`tools/list failed: ${r.error}`);
      const result = r.result as { tools?: unknown; nextCursor?: unknown } | null;
      if (!result || !Array.isArray(result.tools)) return this.hooks.onProtocolError('tools/list result has no tools array');
      for (const t of result.tools) if (t && typeof t === 'object') tools.push(t as Record<string, unknown>);
      if (typeof result.nextCursor !== 'string' || result.nextCursor === '') {
        this.tools = tools;
        this.toolsReady = true;
        return this.hooks.onTools(tools, page);
      }
      cursor = result.nextCursor;
    }
    this.hooks.onProtocolError(`tools/list did not end after ${MAX_PAGES} pages`);
  }

  /** tools/call; the result's first text content is surfaced as `text` (ES reads content[0].text, §7.5). */
  async call(name: string, args: Record<string, unknown>): Promise<McpCallResult> {
    const r = await this.#request(this.#nextCallId++, 'tools/call', { name, arguments: args });
    if (!r.ok) return r;
    const res = r.result as { content?: { text?: unknown }[]; isError?: unknown } | null;
    const text = typeof res?.content?.[0]?.text === 'string' ? (res.content[0].text as string) : undefined;
    if (res?.isError === true) return { ok: false, error: text ?? 'tool reported an error' };
    return { ok: true, result: r.result, text };
  }

  /** Feed an inbound MCP payload. Responses settle pending requests; device requests/notifications are ignored. */
  handle(payload: Record<string, unknown>): void {
    const m = classifyRpc(payload);
    if (m.kind === 'invalid') return this.hooks.onProtocolError(`invalid MCP payload: ${m.detail}`);
    if (m.kind !== 'response') return;
    const id = m.message.id;
    if (typeof id !== 'number') return;
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in m.message) p.resolve({ ok: false, error: m.message.error.message });
    else p.resolve({ ok: true, result: m.message.result });
  }

  close(): void {
    this.#closed = true;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: 'connection closed' });
      this.#pending.delete(id);
    }
  }

  #request(id: number, method: string, params: Record<string, unknown>): Promise<McpCallResult> {
    if (this.#closed) return Promise.resolve({ ok: false, error: 'connection closed' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ ok: false, error: `no answer to ${method} within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.hooks.send(rpcRequest(id, method, params) as unknown as Record<string, unknown>);
    });
  }
}
