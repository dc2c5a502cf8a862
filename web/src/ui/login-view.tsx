/** Shown when the gateway requires an access key: exchanges it for the gateway's cookie. */
import { useState } from 'preact/hooks';
import type { GatewayApi } from '../api/gateway-api.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { errorText } from './error-text.ts';

export function LoginView(p: { api: GatewayApi; lang: Lang; onDone: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await p.api.login(key);
      p.onDone();
    } catch (err) {
      setError(errorText(err, p.lang));
    }
  };
  return (
    <form class="card wizard" onSubmit={(e) => void submit(e)}>
      <h1>{t(p.lang, 'accessKey')}</h1>
      {error && <p class="notice error">{error}</p>}
      <input type="password" autocomplete="current-password" value={key} onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} />{' '}
      <button type="submit" disabled={!key}>
        {t(p.lang, 'logIn')}
      </button>
    </form>
  );
}
