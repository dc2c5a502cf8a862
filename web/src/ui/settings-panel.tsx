/** Settings: device profiles, mic and speaker, language, theme, volume, brightness. */
import { useEffect, useState } from 'preact/hooks';
import type { GatewayApi, Profile } from '../api/gateway-api.ts';
import type { Preferences } from '../app/preferences.ts';
import type { VoiceApp } from '../app/voice-app.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { errorText } from './error-text.ts';

interface Props {
  api: GatewayApi;
  app: VoiceApp | null;
  prefs: Preferences;
  profiles: Profile[];
  current: string;
  setPrefs: (p: Partial<Preferences>) => void;
  onSwitchProfile: (name: string) => void;
  onAddDevice: () => void;
  onProfilesChanged: () => void;
  onClose: () => void;
}

export function SettingsPanel(p: Props) {
  const lang: Lang = p.prefs.lang;
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [error, setError] = useState('');
  const canPickSpeaker = typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;

  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md?.enumerateDevices) return;
    const load = () => void md.enumerateDevices().then(setDevices).catch(() => undefined);
    load();
    md.addEventListener?.('devicechange', load);
    return () => md.removeEventListener?.('devicechange', load);
  }, []);

  const act = async (f: () => Promise<unknown>) => {
    setError('');
    try {
      await f();
      p.onProfilesChanged();
    } catch (e) {
      setError(errorText(e, lang));
    }
  };

  const rename = (prof: Profile) => {
    const label = prompt(t(lang, 'rename'), prof.label);
    if (label && label.trim()) void act(() => p.api.updateProfile(prof.name, { label: label.trim() }));
  };

  const exportProfile = (prof: Profile) =>
    void act(async () => {
      const files = await p.api.exportProfile(prof.name);
      download(`${prof.name}-config.json`, files.configJson);
      download(`${prof.name}-efuse.json`, files.efuseJson);
    });

  const mics = devices.filter((d) => d.kind === 'audioinput');
  const speakers = devices.filter((d) => d.kind === 'audiooutput');

  return (
    <div class="settings" role="dialog" aria-label={t(lang, 'settings')} data-testid="settings">
      <header>
        <h2>{t(lang, 'settings')}</h2>
        <button type="button" class="link" onClick={p.onClose}>
          {t(lang, 'close')}
        </button>
      </header>
      {error && <p class="notice error">{error}</p>}

      <h3>{t(lang, 'profiles')}</h3>
      <ul class="profiles">
        {p.profiles.map((prof) => (
          <li key={prof.name} class={prof.name === p.current ? 'current' : ''}>
            <div>
              <strong>{prof.label || prof.name}</strong> {prof.isDefault ? '★' : ''}
              <div class="muted small">
                {prof.deviceId} · {prof.activated ? t(lang, 'activatedYes') : t(lang, 'activatedNo')}
              </div>
            </div>
            <div class="row">
              {prof.name !== p.current && (
                <button type="button" onClick={() => p.onSwitchProfile(prof.name)}>
                  {t(lang, 'use')}
                </button>
              )}
              <button type="button" class="secondary" onClick={() => rename(prof)}>
                {t(lang, 'rename')}
              </button>
              <button type="button" class="secondary" onClick={() => exportProfile(prof)}>
                {t(lang, 'export')}
              </button>
              {prof.name !== p.current && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() => confirm(`${t(lang, 'deleteConfirm')} ${prof.label || prof.name}?`) && void act(() => p.api.deleteProfile(prof.name))}
                >
                  {t(lang, 'delete')}
                </button>
              )}
              {!prof.isDefault && (
                <button type="button" class="secondary" onClick={() => void act(() => p.api.updateProfile(prof.name, { isDefault: true }))}>
                  {t(lang, 'makeDefault')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" onClick={p.onAddDevice}>
        + {t(lang, 'addDevice')}
      </button>

      <label>
        {t(lang, 'microphone')}
        <select value={p.prefs.micId} onChange={(e) => void p.app?.setMic((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{t(lang, 'systemDefault')}</option>
          {mics.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `Mic ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t(lang, 'speaker')}
        {canPickSpeaker ? (
          <select value={p.prefs.speakerId} onChange={(e) => void p.app?.setSpeaker((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t(lang, 'systemDefault')}</option>
            {speakers.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `Speaker ${i + 1}`}
              </option>
            ))}
          </select>
        ) : (
          <span class="muted small">{t(lang, 'speakerUnsupported')}</span>
        )}
      </label>
      <label>
        {t(lang, 'volume')} ({p.prefs.volume})
        <input type="range" min={0} max={100} value={p.prefs.volume} onInput={(e) => p.app ? p.app.setVolume(+(e.currentTarget as HTMLInputElement).value) : p.setPrefs({ volume: +(e.currentTarget as HTMLInputElement).value })} />
      </label>
      <label>
        {t(lang, 'brightness')} ({p.prefs.brightness})
        <input type="range" min={0} max={100} value={p.prefs.brightness} onInput={(e) => p.setPrefs({ brightness: +(e.currentTarget as HTMLInputElement).value })} />
      </label>
      <label>
        {t(lang, 'language')}
        <select value={p.prefs.lang} onChange={(e) => p.setPrefs({ lang: (e.currentTarget as HTMLSelectElement).value as Lang })}>
          <option value="zh-CN">中文</option>
          <option value="en">English</option>
        </select>
      </label>
      <label>
        {t(lang, 'theme')}
        <select value={p.prefs.theme} onChange={(e) => p.setPrefs({ theme: (e.currentTarget as HTMLSelectElement).value as 'light' | 'dark' })}>
          <option value="light">{t(lang, 'light')}</option>
          <option value="dark">{t(lang, 'dark')}</option>
        </select>
      </label>
    </div>
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
