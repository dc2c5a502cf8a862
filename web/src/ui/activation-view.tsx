/** Activation: a big 6-digit code with a copy button, where to enter it, live waiting state, cancel. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ActivationEvent, GatewayApi, Profile } from '../api/gateway-api.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { activationErrorText, errorText } from './error-text.ts';

interface Props {
  api: GatewayApi;
  profile: Profile;
  lang: Lang;
  onActivated: () => void;
  onSkip: () => void;
}

export function ActivationView({ api, profile, lang, onActivated, onSkip }: Props) {
  const [ev, setEv] = useState<ActivationEvent | null>(null);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  const stop = useRef<(() => void) | null>(null);

  useEffect(() => () => stop.current?.(), []);

  const start = async () => {
    setError('');
    setEv({ state: 'ota' });
    stop.current?.();
    // Subscribe first so no event between start and subscribe is missed.
    stop.current = api.watchActivation(profile.name, (e) => {
      setEv(e);
      if (e.state === 'activated') setTimeout(onActivated, e.alreadyActivated ? 0 : 600);
    });
    try {
      await api.startActivation(profile.name);
    } catch (e) {
      setError(errorText(e, lang));
      stop.current?.();
      setEv(null);
    }
  };

  const cancel = async () => {
    stop.current?.();
    await api.cancelActivation(profile.name).catch(() => undefined);
    setEv({ state: 'cancelled' });
  };

  const copy = async () => {
    if (!ev?.code) return;
    await navigator.clipboard?.writeText(ev.code).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const active = ev && (ev.state === 'ota' || ev.state === 'code' || ev.state === 'waiting');
  return (
    <main class="activation" data-testid="activation">
      <h1>{t(lang, 'activateTitle')}</h1>
      <p>{t(lang, 'activateIntro')}</p>
      <p class="muted small">
        {profile.label || profile.name} · {profile.deviceId}
      </p>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      {ev?.code && active && (
        <div class="code-box">
          <div class="muted">{t(lang, 'activationCode')}</div>
          <div class="code" data-testid="activation-code" aria-live="polite">
            {ev.code}
          </div>
          <button type="button" onClick={() => void copy()}>
            {copied ? t(lang, 'copied') : t(lang, 'copy')}
          </button>
          <p>
            {ev.portalUrl ? (
              <>
                {t(lang, 'activationWhere')}{' '}
                <a href={ev.portalUrl} target="_blank" rel="noopener noreferrer">
                  {ev.portalUrl}
                </a>
              </>
            ) : (
              t(lang, 'activationWhereDefault')
            )}
          </p>
          {ev.message && !ev.portalUrl && <p class="muted">{ev.message}</p>}
        </div>
      )}
      {ev?.state === 'ota' && <p class="muted">{t(lang, 'checkingOta')}</p>}
      {(ev?.state === 'waiting' || ev?.state === 'code') && (
        <p class="waiting" data-testid="activation-waiting">
          <span class="spinner" /> {t(lang, 'waiting')} {ev.attempt ? `(${ev.attempt})` : ''}
        </p>
      )}
      {ev?.state === 'activated' && <p class="notice">{t(lang, 'activated')}</p>}
      {ev?.state === 'failed' && (
        <p class="notice error" role="alert">
          {t(lang, 'activationFailed')}: {activationErrorText(ev)}
        </p>
      )}
      {ev?.state === 'cancelled' && <p class="notice">{t(lang, 'activationCancelled')}</p>}
      <div class="row">
        {active ? (
          <button type="button" class="secondary" onClick={() => void cancel()}>
            {t(lang, 'cancel')}
          </button>
        ) : (
          <button type="button" data-testid="start-activation" onClick={() => void start()}>
            {t(lang, 'activateStart')}
          </button>
        )}
        <button type="button" class="link" onClick={onSkip}>
          {t(lang, 'skipActivation')}
        </button>
      </div>
    </main>
  );
}
