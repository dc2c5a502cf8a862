/** The conversation: user transcripts, assistant sentences, emotions, alerts, system notes. Text only, never HTML. */
import { useEffect, useRef } from 'preact/hooks';
import { EMOTION_EMOJI, t, type Lang } from '../i18n/strings.ts';
import type { VoiceState } from '../app/voice-app.ts';

export function Conversation(props: { entries: VoiceState['entries']; lang: Lang }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [props.entries.length]);
  if (props.entries.length === 0) return <p class="empty">{t(props.lang, 'emptyConversation')}</p>;
  return (
    <ol class="conversation" aria-live="polite">
      {props.entries.map((e) => (
        <li key={e.id} class={`entry entry-${e.kind}`} data-kind={e.kind}>
          {e.kind === 'emotion' ? (
            <span class="emoji" title={e.emotion}>
              {e.text || EMOTION_EMOJI[e.emotion ?? ''] || '🙂'}
            </span>
          ) : e.kind === 'alert' ? (
            <span>
              <strong>{e.status}</strong> {EMOTION_EMOJI[e.emotion ?? ''] ?? ''} {e.text}
            </span>
          ) : (
            <span>{e.text}</span>
          )}
        </li>
      ))}
      <div ref={end} />
    </ol>
  );
}
