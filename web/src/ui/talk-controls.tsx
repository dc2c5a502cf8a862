/** Push-to-talk (hold the button, hold Space, touch-and-hold), hands-free, barge-in and text chat. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { VoiceApp, VoiceState } from '../app/voice-app.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { LevelMeter } from './level-meter.tsx';

interface Props {
  app: VoiceApp;
  state: VoiceState;
  lang: Lang;
  /** getUserMedia and WebCodecs exist only in secure contexts. */
  voiceAvailable: boolean;
}

export function TalkControls({ app, state, lang, voiceAvailable }: Props) {
  const [holding, setHolding] = useState(false);
  const [text, setText] = useState('');
  const holdingRef = useRef(false);
  const ready = state.status.phase === 'ready';

  const start = () => {
    if (holdingRef.current || !voiceAvailable) return;
    holdingRef.current = true;
    setHolding(true);
    void app.talkStart();
  };
  const end = () => {
    if (!holdingRef.current) return;
    holdingRef.current = false;
    setHolding(false);
    void app.talkEnd();
  };

  // Hold Space anywhere except in text fields.
  useEffect(() => {
    const typing = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
    };
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e)) return;
      e.preventDefault();
      if (!e.repeat) start();
    };
    const up = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e)) return;
      e.preventDefault();
      end();
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', end);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', end);
    };
  });

  const submit = (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    void app.sendText(text);
    setText('');
  };

  const turnLabel = t(lang, state.turn);
  return (
    <section class="talk">
      <div class={`turn turn-${state.turn}`} data-testid="turn" aria-live="polite">
        <span class="turn-dot" /> {turnLabel}
        {state.emotion && <span class="turn-emotion">{state.emotion}</span>}
      </div>
      {!voiceAvailable && <p class="notice">{t(lang, 'insecure')}</p>}
      {state.micError && (
        <p class="notice error" role="alert">
          {t(lang, 'micError')}: {state.micError}
        </p>
      )}
      {voiceAvailable && (
        <div class="talk-row">
          <button
            type="button"
            class={holding ? 'ptt holding' : 'ptt'}
            data-testid="ptt"
            disabled={!ready && state.status.phase !== 'closed'}
            onPointerDown={(e) => {
              (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
              start();
            }}
            onPointerUp={end}
            onPointerCancel={end}
            onContextMenu={(e) => e.preventDefault()}
            onKeyDown={(e) => (e.key === 'Enter' ? start() : undefined)}
            onKeyUp={(e) => (e.key === 'Enter' ? end() : undefined)}
          >
            🎙 {holding ? t(lang, 'releaseToSend') : t(lang, 'holdToTalk')}
            <small>{t(lang, 'holdSpaceHint')}</small>
          </button>
          <label class="toggle">
            <input
              type="checkbox"
              data-testid="hands-free"
              checked={state.handsFree}
              disabled={!ready}
              onChange={(e) => void app.setHandsFree((e.currentTarget as HTMLInputElement).checked)}
            />
            {t(lang, 'handsFree')}
          </label>
          {(state.turn === 'speaking' || state.turn === 'thinking') && (
            <button type="button" class="danger" data-testid="barge-in" onClick={() => app.bargeIn()}>
              ⏹ {t(lang, 'stop')}
            </button>
          )}
        </div>
      )}
      {state.turn === 'listening' && <LevelMeter level={state.micLevel} label={t(lang, 'listening')} />}
      <form class="text-chat" onSubmit={submit}>
        <input
          type="text"
          value={text}
          data-testid="text-input"
          placeholder={t(lang, 'typeMessage')}
          aria-label={t(lang, 'typeMessage')}
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          disabled={!ready}
          maxLength={500}
        />
        <button type="submit" disabled={!ready || !text.trim()} data-testid="send-text">
          {t(lang, 'send')}
        </button>
      </form>
    </section>
  );
}
