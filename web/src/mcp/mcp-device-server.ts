/**
 * The page is the device's MCP *server* (xiaozhi-protocol.md §7): the XiaoZhi server sends
 * JSON-RPC requests inside `{type:"mcp", payload}` and the page answers them.
 * - initialize: remembers `capabilities.vision.{url, token}` (§7.2)
 * - tools/list: name-cursor pagination under the 8000-byte budget (§7.3)
 * - tools/call: schema-checked arguments, standard error codes (§7.5)
 * - numeric ids only; notifications are ignored (§7.6)
 */
import {
  classifyRpc,
  MCP_PROTOCOL_VERSION,
  paginateTools,
  RPC_ERRORS,
  rpcError,
  rpcResult,
  toolResult,
  validateToolArguments,
  type McpTool,
  type RpcResponse,
} from '../../../src/protocol/mcp-jsonrpc.ts';

/** A tool the page implements: its MCP description plus the code that really acts. */
export interface DeviceTool extends McpTool {
  run(args: Record<string, boolean | number | string>): unknown | Promise<unknown>;
}

/** One entry of the "calls made" panel. */
export interface ToolCallRecord {
  id: number;
  name: string;
  arguments: unknown;
  ok: boolean;
  /** Result text or error message. */
  result: string;
  at: number;
}

export interface McpDeviceServerOptions {
  tools: DeviceTool[];
  serverInfo?: { name: string; version: string };
  /** Called after every tools/call (success or failure). */
  onCall?: (record: ToolCallRecord) => void;
  now?: () => number;
}

export class McpDeviceServer {
  private readonly tools: DeviceTool[];
  private readonly byName = new Map<string, DeviceTool>();
  private readonly serverInfo: { name: string; version: string };
  private readonly onCall: ((r: ToolCallRecord) => void) | undefined;
  private readonly now: () => number;
  /** Camera upload target announced by the server in initialize (§7.7); unused until a camera tool exists. */
  vision: { url: string; token?: string } | null = null;
  readonly calls: ToolCallRecord[] = [];

  constructor(opts: McpDeviceServerOptions) {
    this.tools = opts.tools;
    for (const t of opts.tools) this.byName.set(t.name, t);
    this.serverInfo = opts.serverInfo ?? { name: 'xiaozhi-web', version: '0.1.0' };
    this.onCall = opts.onCall;
    this.now = opts.now ?? Date.now;
  }

  /** Public tool descriptions (what tools/list returns), in list order. */
  describeTools(): McpTool[] {
    return this.tools.map(({ run: _run, ...desc }) => desc);
  }

  /** Handles one payload; resolves to the response payload, or null when nothing must be sent. */
  async handle(payload: unknown): Promise<RpcResponse | null> {
    const msg = classifyRpc(payload);
    // Only numeric-id requests get answers; notifications, responses and junk are dropped (§7.6).
    if (msg.kind !== 'request') return null;
    const { id, method, params } = msg.message;
    if (method.startsWith('notifications')) return null;
    switch (method) {
      case 'initialize':
        this.readCapabilities(params);
        return rpcResult(id, {
          protocolVersion: MCP_PROTOCOL_VERSION,
          capabilities: { tools: {} },
          serverInfo: this.serverInfo,
        });
      case 'tools/list': {
        const cursor = typeof params?.cursor === 'string' ? params.cursor : '';
        const page = paginateTools(this.describeTools(), cursor);
        return page.ok ? rpcResult(id, page.result) : rpcError(id, RPC_ERRORS.INVALID_PARAMS, page.message);
      }
      case 'tools/call':
        return this.call(id, params);
      default:
        return rpcError(id, RPC_ERRORS.METHOD_NOT_FOUND, `Method not implemented: ${method}`);
    }
  }

  private readCapabilities(params: Record<string, unknown> | undefined): void {
    const caps = params?.capabilities as { vision?: { url?: unknown; token?: unknown } } | undefined;
    const url = caps?.vision?.url;
    // The firmware only accepts an http(s) upload target (§7.2).
    if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
      this.vision = typeof caps?.vision?.token === 'string' ? { url, token: caps.vision.token } : { url };
    }
  }

  private async call(id: number, params: Record<string, unknown> | undefined): Promise<RpcResponse> {
    if (!params) return rpcError(id, RPC_ERRORS.INVALID_PARAMS, 'Missing params');
    const name = params.name;
    if (typeof name !== 'string' || name === '') return rpcError(id, RPC_ERRORS.INVALID_PARAMS, 'Missing name');
    const tool = this.byName.get(name);
    const record = (ok: boolean, result: string): void => {
      const r: ToolCallRecord = { id, name, arguments: params.arguments, ok, result, at: this.now() };
      this.calls.push(r);
      if (this.calls.length > 100) this.calls.shift();
      this.onCall?.(r);
    };
    if (!tool) {
      record(false, `Unknown tool: ${name}`);
      return rpcError(id, RPC_ERRORS.METHOD_NOT_FOUND, `Unknown tool: ${name}`);
    }
    const checked = validateToolArguments(tool.inputSchema, params.arguments);
    if (!checked.ok) {
      record(false, checked.message);
      return rpcError(id, RPC_ERRORS.INVALID_PARAMS, checked.message);
    }
    try {
      const value = await tool.run(checked.value);
      const result = toolResult((value ?? true) as boolean | number | string | object);
      record(true, result.content[0]!.text);
      return rpcResult(id, result);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      record(false, message);
      return rpcError(id, RPC_ERRORS.INTERNAL_ERROR, message);
    }
  }
}
