/** First run: create a device profile or import one from py-xiaozhi (config.json + efuse.json). */
import { useState } from 'preact/hooks';
import type { GatewayApi, Profile } from '../api/gateway-api.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { errorText } from './error-text.ts';

export function Wizard(p: { api: GatewayApi; lang: Lang; onCreated: (profile: Profile) => void; onCancel?: () => void }) {
  const { lang } = p;
  const [label, setLabel] = useState('');
  const [configJson, setConfigJson] = useState('');
  const [efuseJson, setEfuseJson] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async (f: () => Promise<Profile>) => {
    setBusy(true);
    setError('');
    try {
      p.onCreated(await f());
    } catch (e) {
      setError(errorText(e, lang));
    } finally {
      setBusy(false);
    }
  };

  const readFile = (e: Event, set: (s: string) => void) => {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    if (f) void f.text().then(set);
  };

  return (
    <main class="wizard" data-testid="wizard">
      <h1>{t(lang, 'welcome')}</h1>
      <p>{t(lang, 'welcomeBody')}</p>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <section class="card">
        <h2>{t(lang, 'createProfile')}</h2>
        <label>
          {t(lang, 'profileLabel')}
          <input type="text" value={label} data-testid="profile-label" maxLength={60} onInput={(e) => setLabel((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="button" disabled={busy} data-testid="create-profile" onClick={() => void run(() => p.api.createProfile(label.trim() || undefined))}>
          {t(lang, 'createProfile')}
        </button>
      </section>
      <section class="card">
        <h2>{t(lang, 'importProfile')}</h2>
        <p class="muted">{t(lang, 'importHelp')}</p>
        <label>
          {t(lang, 'configJson')} <input type="file" accept=".json,application/json" onChange={(e) => readFile(e, setConfigJson)} />
          <textarea rows={4} value={configJson} onInput={(e) => setConfigJson((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
        </label>
        <label>
          {t(lang, 'efuseJson')} <input type="file" accept=".json,application/json" onChange={(e) => readFile(e, setEfuseJson)} />
          <textarea rows={3} value={efuseJson} onInput={(e) => setEfuseJson((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
        </label>
        <button
          type="button"
          data-testid="import-profile"
          disabled={busy || !configJson.trim() || !efuseJson.trim()}
          onClick={() => void run(() => p.api.importProfile(configJson, efuseJson, label.trim() || undefined))}
        >
          {t(lang, 'importButton')}
        </button>
      </section>
      {p.onCancel && (
        <button type="button" class="link" onClick={p.onCancel}>
          {t(lang, 'cancel')}
        </button>
      )}
    </main>
  );
}
