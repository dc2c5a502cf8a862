/**
 * Control API for people and other processes (docs/devserver.md): the code-entry page, activation,
 * faults, MCP calls and a state dump. Local use only; never returns HMAC keys or tokens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTROL_PAGE } from './control-page.ts';
import { isObject, readJson, sendJson, sendText } from './http-util.ts';
import type { Registry } from './registry.ts';
import type { Faults, McpCallOutcome } from './types.ts';

export const CONTROL_PREFIX = '/xiaozhi/devserver/';

export interface ControlContext {
  registry: Registry;
  enterCode(code: string): boolean;
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
  callTool(name: string, args: Record<string, unknown>, connectionId?: string): Promise<McpCallOutcome[]>;
  state(): Record<string, unknown>;
}

const FAULT_KEYS: readonly (keyof Faults)[] = ['noHello', 'closeAfterHello', 'rejectUpgrade', 'dropMidTurn', 'handshakeDelayMs', 'stopReading'];

/** Check a faults object; unknown keys and wrong types are errors (a typo must not silently do nothing). */
export function parseFaults(x: unknown): { ok: true; value: Partial<Faults> } | { ok: false; error: string } {
  if (!isObject(x)) return { ok: false, error: 'faults must be a JSON object' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (!FAULT_KEYS.includes(k as keyof Faults)) return { ok: false, error: `unknown fault "${k}" (known: ${FAULT_KEYS.join(', ')})` };
    if (k === 'rejectUpgrade') {
      if (![0, 401, 403, 500].includes(v as number)) return { ok: false, error: 'rejectUpgrade must be 0, 401, 403 or 500' };
    } else if (k === 'handshakeDelayMs') {
      if (typeof v !== 'number' || !(v >= 0 && v <= 600_000)) return { ok: false, error: 'handshakeDelayMs must be 0–600000' };
    } else if (typeof v !== 'boolean') return { ok: false, error: `${k} must be true or false` };
    out[k] = v;
  }
  return { ok: true, value: out as Partial<Faults> };
}

/** Handle a request under /xiaozhi/devserver/. Returns false when the path is not a control route. */
export async function handleControl(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const route = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') { sendText(res, 204, ''); return true; }
  if (route === '' && method === 'GET') { sendText(res, 200, CONTROL_PAGE, 'text/html; charset=utf-8'); return true; }
  if (route === 'state' && method === 'GET') { sendJson(res, 200, ctx.state()); return true; }
  if (method !== 'POST' || !['activate', 'faults', 'mcp/call'].includes(route)) return false;
  const body = await readJson(req);
  if (!body.ok) { sendJson(res, body.status, { ok: false, error: body.error }); return true; }
  const b = isObject(body.value) ? body.value : {};
  if (route === 'activate') {
    const code = typeof b.code === 'string' ? b.code.trim() : typeof b.code === 'number' ? String(b.code).padStart(6, '0') : '';
    const pending = ctx.registry.pending().find((p) => p.code === code);
    if (!code || !ctx.enterCode(code)) sendJson(res, 404, { ok: false, error: 'unknown or expired code: run OTA on the device for a fresh one' });
    else sendJson(res, 200, { ok: true, deviceId: pending?.deviceId });
    return true;
  }
  if (route === 'faults') {
    const f = parseFaults(body.value);
    if (!f.ok) sendJson(res, 400, { ok: false, error: f.error });
    else { ctx.setFaults(f.value); sendJson(res, 200, { ok: true, faults: ctx.faults() }); }
    return true;
  }
  // mcp/call
  if (typeof b.name !== 'string' || !b.name) { sendJson(res, 400, { ok: false, error: 'name (tool name) is required' }); return true; }
  const args = isObject(b.arguments) ? b.arguments : {};
  const results = await ctx.callTool(b.name, args, typeof b.connectionId === 'string' ? b.connectionId : undefined);
  sendJson(res, results.length ? 200 : 404, { ok: results.some((r) => r.ok), results, ...(results.length ? {} : { error: 'no connected session with MCP' }) });
  return true;
}
