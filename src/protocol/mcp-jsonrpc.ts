/**
 * MCP over XiaoZhi: JSON-RPC 2.0 shapes, the device-side `tools/list` paging rule and argument checks
 * (xiaozhi-protocol.md §7). The server is the MCP client; the device (our page) is the MCP server.
 */

export const MCP_PROTOCOL_VERSION = '2024-11-05';
/** Serialized `tools/list` results stay under this many bytes (firmware and py-xiaozhi, §7.3). */
export const TOOLS_LIST_BUDGET_BYTES = 8000;

/** Standard JSON-RPC error codes; we always send one (the firmware omits `code`, §7.5). */
export const RPC_ERRORS = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
});

export interface RpcRequest { jsonrpc: '2.0'; id: number; method: string; params?: Record<string, unknown> }
export interface RpcNotification { jsonrpc: '2.0'; method: string; params?: Record<string, unknown> }
export interface RpcErrorObject { code?: number; message: string; data?: unknown }
export interface RpcSuccess { jsonrpc: '2.0'; id: number; result: unknown }
export interface RpcFailure { jsonrpc: '2.0'; id: number | null; error: RpcErrorObject }
export type RpcResponse = RpcSuccess | RpcFailure;

export type RpcMessage =
  | { kind: 'request'; message: RpcRequest }
  | { kind: 'notification'; message: RpcNotification }
  | { kind: 'response'; message: RpcResponse }
  | { kind: 'invalid'; detail: string; id?: unknown };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Classify an MCP payload. Like the firmware, only numeric ids make a request (§7.6); a non-numeric id
 * is reported invalid rather than dropped silently, so callers can log it.
 */
export function classifyRpc(payload: unknown): RpcMessage {
  if (!isObject(payload)) return { kind: 'invalid', detail: 'payload is not an object' };
  if (payload.jsonrpc !== '2.0') return { kind: 'invalid', detail: 'jsonrpc must be "2.0"', id: payload.id };
  const params = payload.params;
  if (params !== undefined && !isObject(params)) return { kind: 'invalid', detail: 'params must be an object', id: payload.id };
  if (typeof payload.method === 'string') {
    if (payload.id === undefined) return { kind: 'notification', message: payload as unknown as RpcNotification };
    if (typeof payload.id !== 'number' || !Number.isFinite(payload.id)) {
      return { kind: 'invalid', detail: 'request id must be a number', id: payload.id };
    }
    return { kind: 'request', message: payload as unknown as RpcRequest };
  }
  if ('result' in payload || 'error' in payload) {
    if ('error' in payload && !(isObject(payload.error) && typeof payload.error.message === 'string')) {
      return { kind: 'invalid', detail: 'error must be an object with a message', id: payload.id };
    }
    return { kind: 'response', message: payload as unknown as RpcResponse };
  }
  return { kind: 'invalid', detail: 'neither a request, a notification nor a response', id: payload.id };
}

export const rpcRequest = (id: number, method: string, params?: Record<string, unknown>): RpcRequest =>
  params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
export const rpcNotification = (method: string, params?: Record<string, unknown>): RpcNotification =>
  params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
export const rpcResult = (id: number, result: unknown): RpcSuccess => ({ jsonrpc: '2.0', id, result });
export const rpcError = (id: number | null, code: number, message: string, data?: unknown): RpcFailure => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

// ── tools ──────────────────────────────────────────────────────────────────────────────────────

export interface McpPropertySchema {
  type: 'boolean' | 'integer' | 'string';
  description?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  default?: boolean | number | string;
}

export interface McpToolSchema {
  type: 'object';
  properties: Record<string, McpPropertySchema>;
  required?: readonly string[];
}

export interface McpTool {
  name: string;
  description: string;
  inputSchema: McpToolSchema;
  annotations?: { audience?: readonly string[] };
}

export type ToolsPage =
  | { ok: true; result: { tools: McpTool[]; nextCursor?: string } }
  | { ok: false; message: string };

const utf8 = new TextEncoder();
const byteLength = (x: unknown) => utf8.encode(JSON.stringify(x)).length;

/**
 * One `tools/list` page: the cursor is the NAME of the first tool of the page (empty = start); tools are
 * added while the serialized result stays under `budgetBytes`; `nextCursor` names the first tool left out.
 * If even the first tool does not fit the reply is the firmware's error (§7.3).
 */
export function paginateTools(tools: readonly McpTool[], cursor = '', budgetBytes = TOOLS_LIST_BUDGET_BYTES): ToolsPage {
  let start = 0;
  if (cursor) {
    start = tools.findIndex((t) => t.name === cursor);
    if (start < 0) return { ok: false, message: `Unknown cursor: ${cursor}` };
  }
  const page: McpTool[] = [];
  for (let i = start; i < tools.length; i++) {
    const tool = tools[i]!;
    const next = tools[i + 1];
    // Reserve room for the cursor this page would carry if it stopped right after this tool.
    const candidate = { tools: [...page, tool], ...(next ? { nextCursor: next.name } : {}) };
    if (byteLength(candidate) >= budgetBytes) {
      if (page.length === 0) return { ok: false, message: `Failed to add tool ${tool.name} because of payload size limit` };
      return { ok: true, result: { tools: page, nextCursor: tool.name } };
    }
    page.push(tool);
  }
  return { ok: true, result: { tools: page } };
}

export type CheckedArguments = { ok: true; value: Record<string, boolean | number | string> } | { ok: false; message: string };

/**
 * Check `tools/call` arguments against a tool's schema with the firmware's rules and messages (§7.5):
 * a value of the wrong type counts as missing; a missing value with a default takes the default.
 */
export function validateToolArguments(schema: McpToolSchema, args: unknown): CheckedArguments {
  if (args !== undefined && !isObject(args)) return { ok: false, message: 'Invalid arguments' };
  const given = (args ?? {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const value: Record<string, boolean | number | string> = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    const raw = given[name];
    const typed =
      (prop.type === 'boolean' && typeof raw === 'boolean') ||
      (prop.type === 'integer' && typeof raw === 'number' && Number.isInteger(raw)) ||
      (prop.type === 'string' && typeof raw === 'string');
    if (!typed) {
      if (prop.default !== undefined) { value[name] = prop.default; continue; }
      if (required.has(name) || raw !== undefined) return { ok: false, message: `Missing valid argument: ${name}` };
      continue;
    }
    const x = raw as boolean | number | string;
    if (typeof x === 'number') {
      if (prop.minimum !== undefined && x < prop.minimum) return { ok: false, message: `Value is below minimum allowed: ${prop.minimum}` };
      if (prop.maximum !== undefined && x > prop.maximum) return { ok: false, message: `Value exceeds maximum allowed: ${prop.maximum}` };
    }
    if (typeof x === 'string' && prop.enum && !prop.enum.includes(x)) {
      return { ok: false, message: `Invalid value for ${name}: expected one of ${prop.enum.join(', ')}` };
    }
    value[name] = x;
  }
  return { ok: true, value };
}

/** A `tools/call` success result; values are stringified the firmware way (§7.5). */
export function toolResult(value: boolean | number | string | object): { content: { type: 'text'; text: string }[]; isError: false } {
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return { content: [{ type: 'text', text }], isError: false };
}
