/** Settings kept in localStorage (no secrets: the gateway holds every credential). */
export interface Preferences {
  lang: 'zh-CN' | 'en';
  theme: 'light' | 'dark';
  volume: number;
  brightness: number;
  micId: string;
  speakerId: string;
  profile: string;
}

const KEY = 'xiaozhi-web:prefs';

export function defaultLang(languages: readonly string[] = globalThis.navigator?.languages ?? []): 'zh-CN' | 'en' {
  const first = languages[0] ?? globalThis.navigator?.language ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function loadPreferences(): Preferences {
  const dark = globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  const base: Preferences = { lang: defaultLang(), theme: dark ? 'dark' : 'light', volume: 80, brightness: 100, micId: '', speakerId: '', profile: '' };
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (!raw) return base;
    const saved = JSON.parse(raw) as Partial<Preferences>;
    return { ...base, ...saved };
  } catch {
    return base;
  }
}

export function savePreferences(p: Preferences): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(p));
  } catch {
    // private mode or quota: settings just do not persist
  }
}
