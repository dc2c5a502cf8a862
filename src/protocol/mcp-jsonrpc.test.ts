import { describe, expect, it } from 'vitest';
import {
  classifyRpc,
  paginateTools,
  rpcError,
  rpcRequest,
  rpcResult,
  toolResult,
  validateToolArguments,
  type McpTool,
  type McpToolSchema,
} from './mcp-jsonrpc.ts';

const makeTool = (i: number, descBytes: number): McpTool => ({
  name: `self.test.tool_${String(i).padStart(2, '0')}`,
  description: 'd'.repeat(descBytes),
  inputSchema: { type: 'object', properties: { level: { type: 'integer', minimum: 0, maximum: 100 } }, required: ['level'] },
});

describe('tools/list pagination', () => {
  // 30 tools of ~700 bytes each ≈ 21 KB → three pages under the 8000-byte budget.
  const tools = Array.from({ length: 30 }, (_, i) => makeTool(i, 600));

  it('pages a list that needs three pages, each under 8000 bytes, with name cursors', () => {
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const page = paginateTools(tools, cursor);
      expect(page.ok).toBe(true);
      if (!page.ok) break;
      pages++;
      expect(new TextEncoder().encode(JSON.stringify(page.result)).length).toBeLessThan(8000);
      seen.push(...page.result.tools.map((t) => t.name));
      if (!page.result.nextCursor) break;
      expect(page.result.nextCursor).toBe(tools[seen.length]!.name); // cursor = first tool of the next page
      cursor = page.result.nextCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(tools.map((t) => t.name));
  });

  it('a small list fits one page without nextCursor', () => {
    const page = paginateTools(tools.slice(0, 2));
    expect(page.ok && page.result.nextCursor).toBeUndefined();
    expect(page.ok && page.result.tools.length).toBe(2);
  });

  it('a tool larger than the budget gives the firmware error', () => {
    const page = paginateTools([makeTool(1, 9000)]);
    expect(page).toEqual({ ok: false, message: 'Failed to add tool self.test.tool_01 because of payload size limit' });
  });

  it('an unknown cursor is an error', () => {
    expect(paginateTools(tools, 'nope').ok).toBe(false);
  });

  it('counts bytes, not characters', () => {
    const cjk = Array.from({ length: 10 }, (_, i) => ({ ...makeTool(i, 0), description: '音'.repeat(400) })); // 1200 bytes each
    const page = paginateTools(cjk);
    expect(page.ok && page.result.tools.length).toBeLessThan(7);
  });
});

describe('argument validation (firmware rules)', () => {
  const schema: McpToolSchema = {
    type: 'object',
    properties: {
      volume: { type: 'integer', minimum: 0, maximum: 100 },
      theme: { type: 'string', enum: ['light', 'dark'] },
      quality: { type: 'integer', default: 80 },
      flag: { type: 'boolean' },
    },
    required: ['volume'],
  };
  it.each([
    [{ volume: 50 }, { ok: true, value: { volume: 50, quality: 80 } }],
    [{ volume: 50, theme: 'dark', flag: true, quality: 10 }, { ok: true, value: { volume: 50, theme: 'dark', flag: true, quality: 10 } }],
    [{ volume: 50, quality: 'high' }, { ok: true, value: { volume: 50, quality: 80 } }],
    [{}, { ok: false, message: 'Missing valid argument: volume' }],
    [{ volume: '50' }, { ok: false, message: 'Missing valid argument: volume' }],
    [{ volume: 5.5 }, { ok: false, message: 'Missing valid argument: volume' }],
    [{ volume: -1 }, { ok: false, message: 'Value is below minimum allowed: 0' }],
    [{ volume: 101 }, { ok: false, message: 'Value exceeds maximum allowed: 100' }],
    [{ volume: 1, theme: 'blue' }, { ok: false, message: 'Invalid value for theme: expected one of light, dark' }],
    [{ volume: 1, flag: 'yes' }, { ok: false, message: 'Missing valid argument: flag' }],
    ['nope', { ok: false, message: 'Invalid arguments' }],
  ])('%j → %j', (args, expected) => {
    expect(validateToolArguments(schema, args)).toEqual(expected);
  });
});

describe('JSON-RPC shapes', () => {
  it('classifies requests, notifications and responses', () => {
    expect(classifyRpc(rpcRequest(1, 'tools/list', { cursor: '' })).kind).toBe('request');
    expect(classifyRpc({ jsonrpc: '2.0', method: 'notifications/state_changed' }).kind).toBe('notification');
    expect(classifyRpc(rpcResult(2, { ok: 1 })).kind).toBe('response');
    expect(classifyRpc(rpcError(3, -32601, 'Unknown tool: x')).kind).toBe('response');
    expect(classifyRpc({ jsonrpc: '2.0', id: 4, error: { message: 'firmware style, no code' } }).kind).toBe('response');
  });
  it.each([
    ['not an object', 5],
    ['wrong version', { jsonrpc: '1.0', id: 1, method: 'x' }],
    ['string id', { jsonrpc: '2.0', id: '1', method: 'x' }],
    ['params array', { jsonrpc: '2.0', id: 1, method: 'x', params: [] }],
    ['error without message', { jsonrpc: '2.0', id: 1, error: { code: 1 } }],
    ['nothing', { jsonrpc: '2.0', id: 1 }],
  ])('%s is invalid', (_n, payload) => {
    expect(classifyRpc(payload).kind).toBe('invalid');
  });
  it('builds error objects with standard codes and results the firmware way', () => {
    expect(rpcError(7, -32602, 'bad')).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'bad' } });
    expect(toolResult(true).content[0]!.text).toBe('true');
    expect(toolResult(42).content[0]!.text).toBe('42');
    expect(toolResult({ a: 1 }).content[0]!.text).toBe('{"a":1}');
  });
});
