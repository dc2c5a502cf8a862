/**
 * Typed client for the gateway's same-origin JSON API (profiles, activation, tickets, doctor).
 * Errors become {@link ApiError} with the HTTP status and the gateway's catalogue code and plain
 * words when it sent them.
 */

export interface GatewayInfo {
  version: string;
  accessKeyRequired: boolean;
  defaultProfile: string | null;
}

export interface Profile {
  name: string;
  label: string;
  deviceId: string;
  clientId: string;
  activated: boolean;
  tokenHint?: string;
  otaUrl?: string;
  websocketUrl?: string | null;
  isDefault?: boolean;
}

/**
 * Why the gateway would refuse a ticket for `p` (src/gateway/http/profile-view.ts: no WebSocket URL
 * yet, or activation still pending → 409), or null. Checked first so the page never asks for a ticket
 * it cannot get. Stricter than the gateway for one case only: an imported profile marked not activated
 * and never sent to OTA is sent to activation (which finishes at once when the server needs none).
 */
export function ticketRefusal(p: Pick<Profile, 'activated' | 'websocketUrl'>): 'XZ_PROFILE_NOT_ACTIVATED' | null {
  return p.activated && p.websocketUrl ? null : 'XZ_PROFILE_NOT_ACTIVATED';
}

export type ActivationState = 'idle' | 'ota' | 'code' | 'waiting' | 'activated' | 'failed' | 'cancelled';

export interface ActivationEvent {
  state: ActivationState;
  code?: string;
  message?: string;
  portalUrl?: string;
  attempt?: number;
  alreadyActivated?: boolean;
  /** The gateway sends `{code, detail}`; older shapes used a string. */
  error?: string | { code: string; detail: string; status?: number };
}

export interface DoctorStage {
  id: string;
  status: 'ok' | 'fail' | 'warn' | 'skip';
  ms: number;
  detail: string;
  hint?: string;
}

export interface DoctorReport {
  ok: boolean;
  failedStage?: string;
  stages: DoctorStage[];
  summary: string;
}

/** A failed API call. `permanent` means retrying the same request cannot help (4xx except 408/429). */
export class ApiError extends Error {
  constructor(
    /** The catalogue's English wording (or the server's message). */
    readonly plain: string,
    readonly status: number,
    readonly code?: string,
    /** The catalogue's Chinese wording, when the gateway sent it. */
    readonly zh?: string,
    readonly detail?: string,
  ) {
    super(detail && detail !== plain ? `${plain} (${detail})` : plain);
  }
  /** The message in the UI language, with the specifics. */
  text(lang: 'zh-CN' | 'en'): string {
    const base = lang === 'zh-CN' && this.zh ? this.zh : this.plain;
    return this.detail && this.detail !== base ? `${base} (${this.detail})` : base;
  }
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

export interface GatewayApiOptions {
  /** Base URL; '' = same origin. */
  base?: string;
  /** Access key when the gateway requires one (sent as a header, never in a URL). */
  accessKey?: () => string | undefined;
}

export class GatewayApi {
  private readonly base: string;
  private readonly accessKey: () => string | undefined;

  constructor(o: GatewayApiOptions = {}) {
    this.base = o.base ?? '';
    this.accessKey = o.accessKey ?? (() => undefined);
  }

  /** Exchanges the access key for the gateway's session cookie. */
  login(key: string): Promise<{ ok: boolean }> {
    return this.req('POST', '/api/login', { key });
  }

  info(): Promise<GatewayInfo> {
    return this.req('GET', '/api/info');
  }

  async profiles(): Promise<Profile[]> {
    return (await this.req<{ profiles: Profile[] }>('GET', '/api/profiles')).profiles;
  }

  async createProfile(label?: string): Promise<Profile> {
    return unwrapProfile(await this.req('POST', '/api/profiles', label ? { label } : {}));
  }

  async importProfile(configJson: string, efuseJson: string, label?: string): Promise<Profile> {
    return unwrapProfile(await this.req('POST', '/api/profiles/import', { configJson, efuseJson, ...(label ? { label } : {}) }));
  }

  async updateProfile(name: string, patch: { label?: string; isDefault?: boolean }): Promise<Profile> {
    return unwrapProfile(await this.req('PATCH', `/api/profiles/${enc(name)}`, patch));
  }

  deleteProfile(name: string): Promise<void> {
    return this.req('DELETE', `/api/profiles/${enc(name)}`);
  }

  exportProfile(name: string): Promise<{ configJson: string; efuseJson: string }> {
    return this.req('GET', `/api/profiles/${enc(name)}/export`);
  }

  startActivation(name: string): Promise<unknown> {
    return this.req('POST', `/api/profiles/${enc(name)}/activation`, {});
  }

  cancelActivation(name: string): Promise<unknown> {
    return this.req('DELETE', `/api/profiles/${enc(name)}/activation`);
  }

  /** Follows activation progress (server-sent events). Returns a stop function. */
  watchActivation(name: string, onEvent: (e: ActivationEvent) => void, onError?: () => void): () => void {
    const es = new EventSource(`${this.base}/api/profiles/${enc(name)}/activation/events`);
    // The gateway names its events `state`; plain `message` events are accepted too.
    const handle = (m: MessageEvent<string>) => {
      try {
        const e = JSON.parse(m.data) as ActivationEvent;
        onEvent(e);
        if (e.state === 'activated' || e.state === 'failed' || e.state === 'cancelled') es.close();
      } catch {
        // ignore a malformed event; the next one carries the full state
      }
    };
    es.addEventListener('state', handle as EventListener);
    es.onmessage = handle;
    es.onerror = () => onError?.();
    return () => es.close();
  }

  /** A single-use ticket; resolves to the absolute ws:/wss: URL to open. */
  async ticket(profile: string): Promise<string> {
    const r = await this.req<{ ticket: string; url: string }>('POST', '/api/tickets', { profile });
    return wsUrlFor(r.url, this.base || location.origin);
  }

  doctor(profile: string, turn = false, lang?: 'zh' | 'en'): Promise<DoctorReport> {
    return this.req('POST', '/api/doctor', { profile, turn, ...(lang ? { lang } : {}) });
  }

  recentSessions(): Promise<unknown> {
    return this.req('GET', '/api/sessions/recent');
  }

  private async req<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const key = this.accessKey();
    if (key) headers['x-access-key'] = key;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      throw new ApiError(`The gateway is not reachable (${err instanceof Error ? err.message : String(err)}).`, 0);
    }
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      // Gateway error shape: {error: {code, message, zh?, detail?}} (src/gateway/http/reply-error.ts).
      const d = (data ?? {}) as { error?: unknown; message?: unknown };
      const e = (typeof d.error === 'object' && d.error !== null ? d.error : {}) as Record<string, unknown>;
      const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
      const msg = str(e.message) ?? str(d.message) ?? str(d.error) ?? `HTTP ${res.status}`;
      throw new ApiError(msg, res.status, str(e.code), str(e.zh), str(e.detail));
    }
    return data as T;
  }
}

const enc = encodeURIComponent;

/** The gateway answers `{profile: {...}}`; a bare profile is accepted too. */
function unwrapProfile(r: unknown): Profile {
  const o = r as { profile?: Profile } & Profile;
  return o.profile ?? o;
}

/** Turns the ticket's path (or URL) into a ws:/wss: URL on the page's origin. */
export function wsUrlFor(pathOrUrl: string, origin: string): string {
  const u = new URL(pathOrUrl, origin);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}
