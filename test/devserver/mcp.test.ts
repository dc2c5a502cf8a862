import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer, type McpToolsEvent } from '../../src/devserver/index.ts';
import { paginateTools, rpcError, rpcResult, toolResult, validateToolArguments, type McpTool } from '../../src/protocol/mcp-jsonrpc.ts';
import { connect, deviceHeaders, type TestClient } from './client.ts';

/** Enough tools with long descriptions to need three 8000-byte pages. */
const TOOLS: McpTool[] = [
  { name: 'self.audio_speaker.set_volume', description: 'Set the volume of the audio speaker.', inputSchema: { type: 'object', properties: { volume: { type: 'integer', minimum: 0, maximum: 100 } }, required: ['volume'] } },
  { name: 'self.screen.set_theme', description: 'Set the theme.', inputSchema: { type: 'object', properties: { theme: { type: 'string', enum: ['light', 'dark'] } }, required: ['theme'] } },
  ...Array.from({ length: 40 }, (_, i): McpTool => ({
    name: `self.filler.tool_${String(i).padStart(2, '0')}`,
    description: `Filler tool number ${i}. ${'It exists to make the list long enough for paging. '.repeat(8)}`,
    inputSchema: { type: 'object', properties: {} },
  })),
];

/** The browser/device side of MCP: answers initialize, tools/list (paged) and tools/call. */
function serveMcp(c: TestClient, calls: { id: number; name: string; args: unknown }[], lists: unknown[], inits: unknown[]) {
  c.ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(data.toString()) as { type: string; payload?: { id: number; method: string; params?: Record<string, unknown> } };
    if (m.type !== 'mcp' || !m.payload) return;
    const { id, method, params = {} } = m.payload;
    const reply = (payload: unknown) => c.send({ type: 'mcp', session_id: '', payload: payload as Record<string, unknown> });
    if (method === 'initialize') { inits.push(m.payload); return reply(rpcResult(id, { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'test', version: '1' } })); }
    if (method === 'tools/list') {
      lists.push(m.payload);
      const page = paginateTools(TOOLS, typeof params.cursor === 'string' ? params.cursor : '');
      return reply(page.ok ? rpcResult(id, page.result) : rpcError(id, -32602, page.message));
    }
    if (method === 'tools/call') {
      calls.push({ id, name: String(params.name), args: params.arguments });
      const tool = TOOLS.find((t) => t.name === params.name);
      if (!tool) return reply(rpcError(id, -32601, `Unknown tool: ${String(params.name)}`));
      const checked = validateToolArguments(tool.inputSchema, params.arguments);
      return reply(checked.ok ? rpcResult(id, toolResult(true)) : rpcError(id, -32602, checked.message));
    }
  });
}

describe('MCP', () => {
  let s: DevServer;
  beforeAll(async () => { s = await startDevServer({ port: 0, auth: 'open', logger: false }); });
  afterAll(() => s.close());

  async function mcpClient() {
    const calls: { id: number; name: string; args: unknown }[] = [];
    const lists: unknown[] = [];
    const inits: unknown[] = [];
    const c = connect(s.wsUrl, { headers: deviceHeaders() });
    serveMcp(c, calls, lists, inits);
    const listed = new Promise<McpToolsEvent>((r) => s.events.once('mcpTools', r));
    await c.hello({ features: { mcp: true } });
    return { c, calls, lists, inits, listed: await listed };
  }

  it('sends initialize with a vision url, then pages tools/list until there is no nextCursor', async () => {
    const { c, lists, inits, listed } = await mcpClient();
    expect(inits).toHaveLength(1);
    const init = inits[0] as { id: number; params: { capabilities: { vision: { url: string; token: string } } } };
    expect(init.id).toBe(1);
    expect(init.params.capabilities.vision.url).toBe(`${s.baseUrl}/mcp/vision/explain`);
    expect(init.params.capabilities.vision.token.length).toBeGreaterThan(8);
    expect(listed.pages).toBe(3);
    expect(lists).toHaveLength(3);
    expect(listed.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    const ids = (lists as { id: number; params: { cursor?: string } }[]).map((l) => l.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id >= 2 && id < 1000)).toBe(true);
    expect((lists[0] as { params: { cursor?: string } }).params.cursor).toBeUndefined();
    expect((lists[1] as { params: { cursor?: string } }).params.cursor).toMatch(/^self\.filler\./);
    // the vision endpoint takes the token it handed out and refuses others
    const ok = await fetch(init.params.capabilities.vision.url, { method: 'POST', headers: { authorization: `Bearer ${init.params.capabilities.vision.token}` }, body: 'x' });
    expect(ok.status).toBe(200);
    expect((await fetch(init.params.capabilities.vision.url, { method: 'POST', body: 'x' })).status).toBe(401);
    c.ws.close();
  });

  for (const [utterance, name, args] of [
    ['音量调到50', 'self.audio_speaker.set_volume', { volume: 50 }],
    ['set volume to 35', 'self.audio_speaker.set_volume', { volume: 35 }],
    ['switch to dark theme', 'self.screen.set_theme', { theme: 'dark' }],
  ] as const) {
    it(`"${utterance}" triggers tools/call ${name} and the reply reports the result`, async () => {
      const { c, calls } = await mcpClient();
      c.send({ type: 'listen', state: 'detect', text: utterance });
      const sentence = await c.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start');
      expect(calls).toEqual([{ id: expect.any(Number), name, args }]);
      expect(calls[0]!.id).toBeGreaterThanOrEqual(1000);
      expect(String(sentence.text)).toMatch(/device answered: true/);
      c.send({ type: 'abort' });
      c.ws.close();
    });
  }

  it('a tool error is reported in the reply text', async () => {
    const { c } = await mcpClient();
    c.send({ type: 'listen', state: 'detect', text: 'brightness 40' }); // the test device has no such tool
    const sentence = await c.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start');
    expect(String(sentence.text)).toMatch(/Could not do brightness 40: Unknown tool/);
    c.send({ type: 'abort' });
    c.ws.close();
  });

  it('the control endpoint triggers arbitrary calls', async () => {
    const { c, calls, listed } = await mcpClient();
    const res = await fetch(`${s.baseUrl}/xiaozhi/devserver/mcp/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'self.screen.set_theme', arguments: { theme: 'light' }, connectionId: listed.id }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.results[0]).toMatchObject({ ok: true, result: { content: [{ type: 'text', text: 'true' }], isError: false } });
    expect(calls.at(-1)).toMatchObject({ name: 'self.screen.set_theme', args: { theme: 'light' } });
    const bad = await (await fetch(`${s.baseUrl}/xiaozhi/devserver/mcp/call`, { method: 'POST', body: JSON.stringify({ name: 'self.audio_speaker.set_volume', arguments: { volume: 500 }, connectionId: listed.id }) })).json();
    expect(bad.results[0]).toMatchObject({ ok: false, error: 'Value exceeds maximum allowed: 100' });
    c.ws.close();
  });

  it('no MCP session → 404 from the control endpoint; no initialize without features.mcp', async () => {
    const s2 = await startDevServer({ port: 0, auth: 'open', logger: false });
    try {
      const c = connect(s2.wsUrl, { headers: deviceHeaders() });
      await c.hello();
      const res = await fetch(`${s2.baseUrl}/xiaozhi/devserver/mcp/call`, { method: 'POST', body: JSON.stringify({ name: 'x' }) });
      expect(res.status).toBe(404);
      expect(c.texts.some((t) => t.json?.type === 'mcp')).toBe(false);
      c.ws.close();
    } finally { await s2.close(); }
  });
});
