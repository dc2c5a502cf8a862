import { describe, expect, it } from 'vitest';
import { builtinTools, type DeviceControls } from './builtin-tools.ts';
import { McpDeviceServer, type DeviceTool } from './mcp-device-server.ts';

function controls() {
  const state = { volume: 70, theme: 'light' as 'light' | 'dark', brightness: 100 };
  const d: DeviceControls = {
    getVolume: () => state.volume,
    setVolume: (v) => void (state.volume = v),
    getTheme: () => state.theme,
    setTheme: (t) => void (state.theme = t),
    getBrightness: () => state.brightness,
    setBrightness: (b) => void (state.brightness = b),
    status: () => ({ network: { type: 'websocket' } }),
  };
  return { state, d };
}

const req = (id: unknown, method: string, params?: unknown) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });

describe('McpDeviceServer', () => {
  it('answers initialize with tools capability and keeps the vision upload target', async () => {
    const s = new McpDeviceServer({ tools: [] });
    const res = await s.handle(
      req(1, 'initialize', {
        protocolVersion: '2024-11-05',
        capabilities: { vision: { url: 'http://127.0.0.1:8003/mcp/vision/explain', token: 'jwt' } },
      }),
    );
    expect(res).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'xiaozhi-web', version: '0.1.0' } },
    });
    expect(s.vision).toEqual({ url: 'http://127.0.0.1:8003/mcp/vision/explain', token: 'jwt' });
  });

  it('pages tools/list by name cursor, each page under 8000 bytes, covering every tool once', async () => {
    const many: DeviceTool[] = Array.from({ length: 40 }, (_, i) => ({
      name: `self.test.tool_${String(i).padStart(2, '0')}`,
      description: 'x'.repeat(600),
      inputSchema: { type: 'object', properties: {} },
      run: () => true,
    }));
    const s = new McpDeviceServer({ tools: many });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = (await s.handle(req(2, 'tools/list', cursor ? { cursor } : undefined))) as {
        result: { tools: { name: string }[]; nextCursor?: string };
      };
      expect(new TextEncoder().encode(JSON.stringify(res.result)).length).toBeLessThan(8000);
      seen.push(...res.result.tools.map((t) => t.name));
      if (res.result.nextCursor) expect(res.result.nextCursor).toBe(many[seen.length]!.name);
      cursor = res.result.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(many.map((t) => t.name));
  });

  it('calls built-in tools that really act, and records the calls', async () => {
    const { state, d } = controls();
    const records: string[] = [];
    const s = new McpDeviceServer({ tools: builtinTools(d), onCall: (r) => records.push(`${r.name}:${r.ok}`) });
    expect(await s.handle(req(5, 'tools/call', { name: 'self.audio_speaker.set_volume', arguments: { volume: 30 } }))).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'true' }], isError: false },
    });
    expect(state.volume).toBe(30);
    await s.handle(req(6, 'tools/call', { name: 'self.screen.set_theme', arguments: { theme: 'dark' } }));
    expect(state.theme).toBe('dark');
    const status = (await s.handle(req(7, 'tools/call', { name: 'self.get_device_status', arguments: {} }))) as {
      result: { content: { text: string }[] };
    };
    expect(JSON.parse(status.result.content[0]!.text)).toMatchObject({ audio_speaker: { volume: 30 }, screen: { theme: 'dark' } });
    expect(records).toEqual(['self.audio_speaker.set_volume:true', 'self.screen.set_theme:true', 'self.get_device_status:true']);
  });

  it('uses standard JSON-RPC error codes with the firmware messages', async () => {
    const { state, d } = controls();
    const tools = [...builtinTools(d), { name: 'self.broken', description: '', inputSchema: { type: 'object' as const, properties: {} }, run: () => { throw new Error('camera unplugged'); } }];
    const s = new McpDeviceServer({ tools });
    const err = async (p: unknown) => ((await s.handle(p)) as { error: { code: number; message: string } }).error;
    expect(await err(req(8, 'tools/call', { name: 'self.audio_speaker.set_volume', arguments: { volume: '50' } }))).toEqual({
      code: -32602,
      message: 'Missing valid argument: volume',
    });
    expect(await err(req(9, 'tools/call', { name: 'self.audio_speaker.set_volume', arguments: { volume: 101 } }))).toEqual({
      code: -32602,
      message: 'Value exceeds maximum allowed: 100',
    });
    expect(await err(req(10, 'tools/call', { name: 'self.screen.set_theme', arguments: { theme: 'pink' } }))).toMatchObject({ code: -32602 });
    expect(await err(req(11, 'tools/call', { name: 'self.nope', arguments: {} }))).toEqual({ code: -32601, message: 'Unknown tool: self.nope' });
    expect(await err(req(12, 'tools/call'))).toEqual({ code: -32602, message: 'Missing params' });
    expect(await err(req(13, 'resources/list'))).toEqual({ code: -32601, message: 'Method not implemented: resources/list' });
    expect(await err(req(14, 'tools/call', { name: 'self.broken' }))).toEqual({ code: -32603, message: 'camera unplugged' });
    expect(state.volume).toBe(70);
  });

  it('answers numeric ids only and ignores notifications and responses', async () => {
    const s = new McpDeviceServer({ tools: [] });
    expect(await s.handle(req('1', 'initialize', {}))).toBeNull();
    expect(await s.handle({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBeNull();
    expect(await s.handle(req(3, 'notifications/cancelled'))).toBeNull();
    expect(await s.handle({ jsonrpc: '2.0', id: 4, result: {} })).toBeNull();
    expect(await s.handle({ jsonrpc: '1.0', id: 4, method: 'initialize' })).toBeNull();
    expect(await s.handle('nonsense')).toBeNull();
  });
});
