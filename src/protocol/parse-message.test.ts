import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './parse-message.ts';

const S = 'sess-1';
const clientSamples: Record<string, unknown>[] = [
  { type: 'hello', version: 1, transport: 'websocket', features: { mcp: true, aec: true }, audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } },
  { type: 'hello' },
  { type: 'hello', device_id: 'x', token: 'y', features: { mcp: true } },
  { session_id: S, type: 'listen', state: 'start', mode: 'auto' },
  { session_id: S, type: 'listen', state: 'start', mode: 'manual' },
  { session_id: S, type: 'listen', state: 'start', mode: 'realtime' },
  { session_id: S, type: 'listen', state: 'stop' },
  { session_id: S, type: 'listen', state: 'detect', text: '你好小智' },
  { session_id: S, type: 'abort' },
  { session_id: S, type: 'abort', reason: 'wake_word_detected' },
  { session_id: S, type: 'mcp', payload: { jsonrpc: '2.0', id: 1, result: {} } },
  { session_id: S, type: 'iot', update: true, descriptors: [{ name: 'Speaker', methods: {} }] },
  { session_id: S, type: 'iot', update: true, states: [{ name: 'Speaker', state: { volume: 5 } }] },
  { session_id: S, type: 'goodbye' },
];

const serverSamples: Record<string, unknown>[] = [
  { type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 }, session_id: '2f892a04' },
  { session_id: S, type: 'stt', text: '今天天气怎么样' },
  { session_id: S, type: 'llm', emotion: 'happy', text: '😀' },
  { session_id: S, type: 'tts', state: 'start' },
  { session_id: S, type: 'tts', state: 'sentence_start', text: '你好' },
  { session_id: S, type: 'tts', state: 'sentence_end', text: '你好' },
  { session_id: S, type: 'tts', state: 'stop' },
  { type: 'mcp', payload: { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} } },
  { session_id: S, type: 'system', command: 'reboot' },
  { session_id: S, type: 'alert', status: 'Warning', message: 'Battery low', emotion: 'sad' },
  { session_id: S, type: 'custom', payload: { anything: [1, 2] } },
  { type: 'iot', commands: [{ name: 'Speaker', method: 'SetVolume', parameters: { volume: 50 } }] },
  { type: 'goodbye', session_id: S },
  { type: 'error', message: 'hello failed' },
];

describe('parseClientMessage', () => {
  it.each(clientSamples.map((m) => [`${m.type}${'state' in m ? ` ${String(m.state)}` : ''}`, m]))('parses and round-trips %s', (_n, sample) => {
    const text = JSON.stringify(sample);
    const r = parseClientMessage(text);
    expect(r.kind).toBe('message');
    if (r.kind === 'message') expect(JSON.parse(JSON.stringify(r.message))).toEqual(sample);
  });

  it('keeps unknown extra keys (loose objects)', () => {
    const r = parseClientMessage(JSON.stringify({ type: 'listen', state: 'detect', text: 'hi', glyph_push: { a: 1 } }));
    expect(r.kind === 'message' && (r.message as Record<string, unknown>).glyph_push).toEqual({ a: 1 });
  });

  it.each([
    ['malformed JSON', '{"type":"hello"', 'XZ_INVALID_JSON'],
    ['empty text', '', 'XZ_INVALID_JSON'],
    ['array', '[1,2]', 'XZ_NOT_AN_OBJECT'],
    ['null', 'null', 'XZ_NOT_AN_OBJECT'],
    ['number', '42', 'XZ_NOT_AN_OBJECT'],
    ['no type', '{"state":"start"}', 'XZ_MISSING_TYPE'],
    ['type not a string', '{"type":5}', 'XZ_MISSING_TYPE'],
    ['listen without state', '{"type":"listen"}', 'XZ_INVALID_MESSAGE'],
    ['listen bad state', '{"type":"listen","state":"go"}', 'XZ_INVALID_MESSAGE'],
    ['listen bad mode', '{"type":"listen","state":"start","mode":"loud"}', 'XZ_INVALID_MESSAGE'],
    ['detect text wrong type', '{"type":"listen","state":"detect","text":3}', 'XZ_INVALID_MESSAGE'],
    ['hello bad version', '{"type":"hello","version":7}', 'XZ_INVALID_MESSAGE'],
    ['hello bad audio format', '{"type":"hello","audio_params":{"format":"pcm","sample_rate":16000,"channels":1,"frame_duration":60}}', 'XZ_INVALID_MESSAGE'],
    ['mcp payload not object', '{"type":"mcp","payload":"x"}', 'XZ_INVALID_MESSAGE'],
    ['session_id wrong type', '{"type":"abort","session_id":5}', 'XZ_INVALID_MESSAGE'],
  ])('%s → %s', (_n, text, code) => {
    const r = parseClientMessage(text);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.code).toBe(code);
      expect(r.detail.length).toBeGreaterThan(5);
    }
  });

  it('names the offending field in the detail', () => {
    const r = parseClientMessage('{"type":"listen","state":"start","mode":"loud"}');
    expect(r.kind === 'error' && r.detail).toMatch(/^listen: .*mode/);
  });

  it('reports unknown types instead of dropping them', () => {
    const r = parseClientMessage('{"type":"ping","x":1}');
    expect(r).toEqual({ kind: 'unknown', type: 'ping', raw: { type: 'ping', x: 1 } });
  });

  it('does not treat prototype keys as message types', () => {
    expect(parseClientMessage('{"type":"toString"}').kind).toBe('unknown');
    expect(parseClientMessage('{"type":"__proto__"}').kind).toBe('unknown');
  });
});

describe('parseServerMessage', () => {
  it.each(serverSamples.map((m) => [`${m.type}${'state' in m ? ` ${String(m.state)}` : ''}`, m]))('parses and round-trips %s', (_n, sample) => {
    const r = parseServerMessage(JSON.stringify(sample));
    expect(r.kind).toBe('message');
    if (r.kind === 'message') expect(JSON.parse(JSON.stringify(r.message))).toEqual(sample);
  });

  it.each([
    ['hello without transport', '{"type":"hello","session_id":"a"}'],
    ['stt without text', '{"type":"stt"}'],
    ['sentence_start without text', '{"type":"tts","state":"sentence_start"}'],
    ['tts bogus state', '{"type":"tts","state":"bogus"}'],
    ['alert missing emotion', '{"type":"alert","status":"x","message":"y"}'],
    ['system without command', '{"type":"system"}'],
    ['iot commands not an array', '{"type":"iot","commands":{}}'],
    ['hello with odd sample rate', '{"type":"hello","transport":"websocket","audio_params":{"format":"opus","sample_rate":"24000","channels":1,"frame_duration":60}}'],
  ])('%s is an error', (_n, text) => {
    expect(parseServerMessage(text).kind).toBe('error');
  });

  it('reports unknown server types', () => {
    expect(parseServerMessage('{"type":"pong","timestamp":"x"}').kind).toBe('unknown');
  });
});
