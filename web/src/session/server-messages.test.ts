import { describe, expect, it } from 'vitest';
import { handleServerText, type TurnHost } from './server-messages.ts';
import type { ConversationEntry, SessionEvents } from './session-types.ts';

/** Records what the handlers asked the session to do. */
function recorder() {
  const log: string[] = [];
  const entries: Partial<ConversationEntry>[] = [];
  const events: [string, unknown][] = [];
  const host: TurnHost = {
    status: { reached: { hello: false } },
    ignoringAudio: false,
    onHello: (id, audio) => log.push(`hello:${id}:${audio?.sample_rate ?? '-'}`),
    onUpstreamConnected: () => log.push('upstream'),
    onTtsStart: () => log.push('ttsStart'),
    onTtsStop: () => log.push('ttsStop'),
    onSttText: () => log.push('stt'),
    onServerGoodbye: () => log.push('goodbye'),
    takeTypedEcho: () => false,
    emitEntry: (kind, text, extra) => void entries.push({ kind, text, ...extra }),
    emitEvent: <K extends keyof SessionEvents>(type: K, payload: SessionEvents[K]) => void events.push([String(type), payload]),
  };
  return { host, log, entries, events };
}

const send = (h: TurnHost, m: unknown) => handleServerText(h, typeof m === 'string' ? m : JSON.stringify(m));

describe('handleServerText', () => {
  it('handles every server message type of protocol §3.5', () => {
    const r = recorder();
    send(r.host, { type: 'hello', transport: 'websocket', session_id: 's', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } });
    send(r.host, { type: 'gateway', state: 'upstream_open' });
    send(r.host, { type: 'stt', text: '你好' });
    send(r.host, { type: 'tts', state: 'start' });
    send(r.host, { type: 'llm', emotion: 'happy', text: '😀' });
    send(r.host, { type: 'tts', state: 'sentence_start', text: '<i>hi</i>' });
    send(r.host, { type: 'tts', state: 'sentence_end', text: 'ignored' });
    send(r.host, { type: 'tts', state: 'stop' });
    send(r.host, { type: 'mcp', payload: { jsonrpc: '2.0', id: 1, method: 'initialize' } });
    send(r.host, { type: 'system', command: 'reboot' });
    send(r.host, { type: 'alert', status: 'Warning', message: 'Battery low', emotion: 'sad' });
    send(r.host, { type: 'custom', payload: { a: 1 } });
    send(r.host, { type: 'iot', commands: [{ name: 'Speaker', method: 'SetVolume', parameters: { volume: 50 } }] });
    send(r.host, { type: 'error', message: 'hello failed' });
    send(r.host, { type: 'goodbye', session_id: 's' });
    expect(r.log).toEqual(['hello:s:16000', 'upstream', 'stt', 'ttsStart', 'ttsStop', 'goodbye']);
    expect(r.entries.map((e) => `${e.kind}:${e.text}`)).toEqual([
      'user:你好',
      'emotion:😀',
      'assistant:<i>hi</i>',
      'system:Server command: reboot',
      'alert:Battery low',
      'system:Custom message: {"a":1}',
      'system:IoT: Speaker.SetVolume',
      'system:Server error: hello failed',
      'system:The server said goodbye.',
    ]);
    expect(r.events.map(([t]) => t)).toEqual(['emotion', 'mcp', 'systemCommand', 'iot']);
  });

  it('ignores a hello for another transport, and notes unknown or malformed messages', () => {
    const r = recorder();
    send(r.host, { type: 'hello', transport: 'udp' });
    send(r.host, { type: 'weather' });
    send(r.host, '[1,2]');
    send(r.host, { type: 'tts', state: 'louder' });
    expect(r.log).toEqual([]);
    expect(r.entries.map((e) => e.kind)).toEqual(['system', 'system', 'system', 'system']);
    expect(r.entries[1]!.text).toMatch(/Unknown message type "weather"/);
  });

  it('drops subtitles of a reply that was barged in', () => {
    const r = recorder();
    const host = { ...r.host, ignoringAudio: true };
    send(host, { type: 'tts', state: 'sentence_start', text: 'late' });
    expect(r.entries).toEqual([]);
  });
});
