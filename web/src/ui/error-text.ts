import { ApiError, type ActivationEvent } from '../api/gateway-api.ts';
import type { Lang } from '../i18n/strings.ts';

/** Plain words for anything thrown by the API client or the browser. */
export function errorText(e: unknown, lang: Lang): string {
  if (e instanceof ApiError) return e.text(lang);
  return e instanceof Error ? e.message : String(e);
}

/** The activation event's error, whatever shape the gateway used. */
export function activationErrorText(ev: ActivationEvent): string {
  const err = ev.error;
  if (!err) return ev.message ?? '';
  return typeof err === 'string' ? err : `${err.detail || err.code}`;
}
