/**
 * Reaction to every server → device text message (xiaozhi-protocol.md §3.5). Unknown or malformed
 * messages become a system note: the page never drops something silently, never renders it as HTML.
 */
import type { AudioParams } from '../../../src/protocol/audio-params.ts';
import { parseServerMessage } from '../../../src/protocol/parse-message.ts';
import type { ConversationEntry, SessionEvents } from './session-types.ts';

/** What the handlers need from the session. */
export interface TurnHost {
  onHello(sessionId: string, audio: AudioParams | undefined): void;
  onUpstreamConnected(): void;
  onTtsStart(): void;
  onTtsStop(): void;
  onSttText(): void;
  /** True (once) when `text` is the server echoing what we just typed. */
  takeTypedEcho(text: string): boolean;
  onServerGoodbye(): void;
  emitEntry(kind: ConversationEntry['kind'], text: string, extra?: Partial<ConversationEntry>): void;
  emitEvent<K extends keyof SessionEvents>(type: K, payload: SessionEvents[K]): void;
  readonly status: { reached: { hello: boolean } };
  readonly ignoringAudio: boolean;
}

/** Handles one text frame from the gateway. */
export function handleServerText(host: TurnHost, text: string): void {
  const parsed = parseServerMessage(text);
  if (parsed.kind === 'error') {
    host.emitEntry('system', `Ignored a malformed server message (${parsed.detail})`);
    return;
  }
  if (parsed.kind === 'unknown') {
    // The gateway may announce that its upstream leg is open (stage "upstream connected").
    if (parsed.type === 'gateway' && parsed.raw.state === 'upstream_open') return host.onUpstreamConnected();
    host.emitEntry('system', `Unknown message type "${parsed.type}": ${truncate(JSON.stringify(parsed.raw))}`);
    return;
  }
  const m = parsed.message;
  switch (m.type) {
    case 'hello':
      // §3.2: a hello for another transport is ignored (the firmware then times out).
      if (m.transport !== 'websocket') {
        host.emitEntry('system', `Ignored a server hello for transport "${m.transport}"`);
        return;
      }
      host.onHello(m.session_id ?? '', m.audio_params);
      return;
    case 'stt':
      if (!host.takeTypedEcho(m.text)) host.emitEntry('user', m.text);
      host.onSttText();
      return;
    case 'llm':
      if (m.emotion) host.emitEvent('emotion', { emotion: m.emotion, text: m.text });
      if (m.emotion || m.text) host.emitEntry('emotion', m.text ?? '', m.emotion ? { emotion: m.emotion } : {});
      return;
    case 'tts':
      if (m.state === 'start') host.onTtsStart();
      else if (m.state === 'stop') host.onTtsStop();
      else if (m.state === 'sentence_start' && !host.ignoringAudio) host.emitEntry('assistant', m.text);
      // sentence_end is legacy and ignored (§3.5).
      return;
    case 'mcp':
      host.emitEvent('mcp', m.payload);
      return;
    case 'system':
      host.emitEntry('system', `Server command: ${m.command}`);
      host.emitEvent('systemCommand', m.command);
      return;
    case 'alert':
      host.emitEntry('alert', m.message, { status: m.status, emotion: m.emotion });
      return;
    case 'custom':
      host.emitEntry('system', `Custom message: ${truncate(JSON.stringify(m.payload ?? null))}`);
      return;
    case 'iot':
      host.emitEvent('iot', m.commands);
      host.emitEntry('system', `IoT: ${m.commands.map((c) => `${c.name}.${c.method}`).join(', ')}`);
      return;
    case 'goodbye':
      host.emitEntry('system', 'The server said goodbye.');
      host.onServerGoodbye();
      return;
    case 'error':
      host.emitEntry('system', `Server error: ${m.message}`);
      return;
    default: {
      const never: never = m;
      host.emitEntry('system', `Unhandled message ${truncate(JSON.stringify(never))}`);
    }
  }
}

function truncate(s: string, n = 200): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
