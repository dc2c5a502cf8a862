/**
 * Root: loads gateway info and profiles, then shows the first-run wizard, activation, or the
 * conversation. Owns preferences (theme, language, volume…) and one VoiceApp per active profile.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { GatewayApi, Profile } from '../api/gateway-api.ts';
import { loadPreferences, savePreferences, type Preferences } from '../app/preferences.ts';
import { attachTestHook } from '../app/test-hook.ts';
import { VoiceApp } from '../app/voice-app.ts';
import { ApiError } from '../api/gateway-api.ts';
import { t } from '../i18n/strings.ts';
import { errorText } from './error-text.ts';
import { LoginView } from './login-view.tsx';
import { ActivationView } from './activation-view.tsx';
import { SettingsPanel } from './settings-panel.tsx';
import { TalkView } from './talk-view.tsx';
import { Wizard } from './wizard.tsx';

type View = 'loading' | 'error' | 'login' | 'wizard' | 'activate' | 'talk';

export function App({ api }: { api: GatewayApi }) {
  const [prefs, setPrefsState] = useState<Preferences>(loadPreferences);
  const prefsRef = useRef(prefs);
  const setPrefs = (patch: Partial<Preferences>) => {
    const next = { ...prefsRef.current, ...patch };
    prefsRef.current = next;
    savePreferences(next);
    setPrefsState(next);
  };
  const [view, setView] = useState<View>('loading');
  const [error, setError] = useState('');
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [current, setCurrent] = useState('');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const lang = prefs.lang;

  // Theme, brightness (the MCP screen tools act here) and document language.
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = prefs.theme;
    root.lang = lang;
    root.style.setProperty('--brightness', String(0.3 + (0.7 * prefs.brightness) / 100));
  }, [prefs.theme, prefs.brightness, lang]);

  const refreshProfiles = async (): Promise<Profile[]> => {
    const list = await api.profiles();
    setProfiles(list);
    return list;
  };

  const boot = async () => {
    setView('loading');
    try {
      const [info, list] = await Promise.all([api.info(), refreshProfiles()]);
      if (list.length === 0) return setView('wizard');
      const pick = list.find((p) => p.name === prefsRef.current.profile) ?? list.find((p) => p.name === info.defaultProfile) ?? list.find((p) => p.isDefault) ?? list[0]!;
      choose(pick);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return setView('login');
      setError(errorText(e, prefsRef.current.lang));
      setView('error');
    }
  };

  const choose = (p: Profile) => {
    setCurrent(p.name);
    setPrefs({ profile: p.name });
    setView(p.activated ? 'talk' : 'activate');
  };

  useEffect(() => void boot(), []);

  const app = useMemo(
    () => (current && view === 'talk' ? new VoiceApp(api, current, () => prefsRef.current, setPrefs) : null),
    [current, view === 'talk'],
  );
  useEffect(() => {
    attachTestHook(app);
    if (!app) return;
    void app.connect();
    return () => app.close();
  }, [app]);

  const profile = profiles.find((p) => p.name === current);

  let body;
  if (view === 'loading') body = <p class="center muted">{t(lang, 'loading')}</p>;
  else if (view === 'error')
    body = (
      <div class="center">
        <p class="notice error">
          {t(lang, 'gatewayDown')} {error}
        </p>
        <button type="button" onClick={() => void boot()}>
          {t(lang, 'retry')}
        </button>
      </div>
    );
  else if (view === 'login') body = <LoginView api={api} lang={lang} onDone={() => void boot()} />;
  else if (view === 'wizard')
    body = (
      <Wizard
        api={api}
        lang={lang}
        onCreated={(p) => void refreshProfiles().then(() => choose(p))}
        {...(profiles.length > 0 ? { onCancel: () => setView(current ? 'talk' : 'wizard') } : {})}
      />
    );
  else if (view === 'activate' && profile)
    body = (
      <>
        <header class="topbar">
          <h1>{t(lang, 'appTitle')}</h1>
          {profiles.length > 1 && (
            <button type="button" class="secondary" data-testid="open-settings" onClick={() => setSettingsOpen(true)}>
              ⚙ {t(lang, 'settings')}
            </button>
          )}
        </header>
        <ActivationView
        api={api}
        profile={profile}
        lang={lang}
        onActivated={() => void refreshProfiles().then(() => setView('talk'))}
        onSkip={() => setView('talk')}
        />
      </>
    );
  else if (view === 'activate') body = <p class="center muted">{t(lang, 'loading')}</p>;
  else if (app) body = <TalkView app={app} api={api} lang={lang} profileLabel={profile?.label || current} onSettings={() => setSettingsOpen(true)} onActivate={() => setView('activate')} />;

  return (
    <div class="shell">
      {body}
      {settingsOpen && (
        <SettingsPanel
          api={api}
          app={app}
          prefs={prefs}
          profiles={profiles}
          current={current}
          setPrefs={setPrefs}
          onSwitchProfile={(name) => {
            const p = profiles.find((x) => x.name === name);
            if (p) choose(p);
            setSettingsOpen(false);
          }}
          onAddDevice={() => {
            setSettingsOpen(false);
            setView('wizard');
          }}
          onProfilesChanged={() => void refreshProfiles()}
          onClose={() => setSettingsOpen(false)}
        />
      )}
    </div>
  );
}
