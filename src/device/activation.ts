/**
 * Activation flow (protocol §5.3): OTA → if `activation` is present, announce the code and poll
 * `<ota>/activate` (202 keep waiting, 200 done, anything else an error) → OTA again for the final
 * websocket / mqtt settings. Cancellable with an AbortSignal, bounded by a deadline, never throws
 * for protocol outcomes: the result says activated / failed / cancelled.
 */
import { activationUrl, type OtaReply } from '../protocol/ota.ts';
import { DeviceError, isDeviceError, type DeviceErrorCode } from './errors.ts';
import { postJson, resolveClientInfo, runOta, toOtaTarget, type OtaOptions } from './ota-client.ts';
import { buildActivationBody, buildOtaHeaders, type OtaTarget } from './ota-request.ts';
import { DEFAULT_PORTAL_URL, portalUrlFromMessage } from './portal-url.ts';
import type { DeviceProfile } from './profile-store.ts';

/** Progress events, in order: ota-sent → (code-issued → waiting×n)? → activated | failed | cancelled. */
export type ActivationProgress =
  | { type: 'ota-sent'; url: string }
  | { type: 'code-issued'; code: string; message: string; portalUrl: string; timeoutMs?: number }
  | { type: 'waiting'; attempt: number; status?: number; error?: string }
  | { type: 'activated'; alreadyActivated: boolean }
  | { type: 'failed'; code: DeviceErrorCode; detail: string; status?: number }
  | { type: 'cancelled' };

/** Final result. `reply` is the last OTA reply (holds websocket url/token). */
export type ActivationOutcome =
  | { outcome: 'activated'; reply: OtaReply; alreadyActivated: boolean }
  | { outcome: 'failed'; code: DeviceErrorCode; detail: string; status?: number }
  | { outcome: 'cancelled' };

export interface ActivateOptions extends Omit<OtaOptions, 'signal'> {
  signal?: AbortSignal;
  onProgress?: (event: ActivationProgress) => void;
  /** Whole-flow deadline in ms (default 300 000 ≈ py-xiaozhi's 60 × 5 s). */
  deadlineMs?: number;
  /** Pause between activate polls (default 5 000, py-xiaozhi). */
  pollIntervalMs?: number;
  /** Portal shown when the activation message names none (default https://xiaozhi.me/). */
  defaultPortalUrl?: string;
  /** Called with every OTA reply (first and final) so the caller can store it. Errors abort the flow. */
  onOtaReply?: (reply: OtaReply, phase: 'initial' | 'final') => Promise<void> | void;
}

export const DEFAULT_DEADLINE_MS = 300_000;
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** Run the whole activation flow for a profile or bare target. */
export async function activate(target: DeviceProfile | OtaTarget, opts: ActivateOptions = {}): Promise<ActivationOutcome> {
  const t = toOtaTarget(target);
  const emit = (e: ActivationProgress) => {
    try {
      opts.onProgress?.(e);
    } catch {
      // a faulty listener must not break the flow
    }
  };
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const otaOpts: OtaOptions = { ...opts, signal };

  const finish = (err: unknown): ActivationOutcome => {
    if (opts.signal?.aborted) {
      emit({ type: 'cancelled' });
      return { outcome: 'cancelled' };
    }
    if (deadline.aborted) {
      const detail = `not activated within ${Math.round(deadlineMs / 1000)} s`;
      emit({ type: 'failed', code: 'XZ_ACTIVATION_TIMEOUT', detail });
      return { outcome: 'failed', code: 'XZ_ACTIVATION_TIMEOUT', detail };
    }
    if (!isDeviceError(err)) throw err;
    const e: ActivationOutcome & { outcome: 'failed' } = { outcome: 'failed', code: err.code, detail: err.message };
    if (err.status !== undefined) e.status = err.status;
    emit({ type: 'failed', ...pick(e) });
    return e;
  };

  try {
    emit({ type: 'ota-sent', url: t.otaUrl });
    const first = (await runOta(t, otaOpts)).reply;
    await opts.onOtaReply?.(first, 'initial');
    const act = first.activation;
    if (!act) {
      emit({ type: 'activated', alreadyActivated: true });
      return { outcome: 'activated', reply: first, alreadyActivated: true };
    }
    const message = act.message ?? '';
    const issued: ActivationProgress = {
      type: 'code-issued',
      code: act.code,
      message,
      portalUrl: portalUrlFromMessage(message, opts.defaultPortalUrl ?? DEFAULT_PORTAL_URL),
    };
    if (act.timeout_ms !== undefined) issued.timeoutMs = act.timeout_ms;
    emit(issued);

    await pollUntilActivated(t, act.challenge ?? '', otaOpts, opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, signal, emit);

    emit({ type: 'ota-sent', url: t.otaUrl });
    const final = (await runOta(t, otaOpts)).reply;
    if (final.activation) {
      throw new DeviceError('XZ_ACTIVATION_INCOMPLETE', 'the server accepted the activation but the next OTA reply still asks for activation');
    }
    await opts.onOtaReply?.(final, 'final');
    emit({ type: 'activated', alreadyActivated: false });
    return { outcome: 'activated', reply: final, alreadyActivated: false };
  } catch (err) {
    return finish(err);
  }
}

async function pollUntilActivated(
  t: OtaTarget,
  challenge: string,
  otaOpts: OtaOptions,
  intervalMs: number,
  signal: AbortSignal,
  emit: (e: ActivationProgress) => void,
): Promise<void> {
  const url = activationUrl(t.otaUrl);
  const headers = buildOtaHeaders(t, resolveClientInfo(otaOpts.client));
  const body = buildActivationBody(t.identity, challenge);
  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await postJson(url, headers, body, otaOpts, 'activation');
      if (res.status === 200) return;
      if (res.status !== 202) {
        throw new DeviceError('XZ_ACTIVATION_HTTP_STATUS', `activation endpoint answered HTTP ${res.status}: ${oneLine(res.text)}`, { status: res.status });
      }
      status = 202;
    } catch (err) {
      // Transient network trouble: keep polling until the deadline (firmware retries too, §5.3).
      if (!isDeviceError(err) || (err.code !== 'XZ_OTA_NETWORK' && err.code !== 'XZ_OTA_TIMEOUT') || signal.aborted) throw err;
      error = err.message;
    }
    const ev: ActivationProgress = { type: 'waiting', attempt };
    if (status !== undefined) ev.status = status;
    if (error !== undefined) ev.error = error;
    emit(ev);
    await sleep(intervalMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DeviceError('XZ_CANCELLED', 'cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeviceError('XZ_CANCELLED', 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function oneLine(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s || '(empty body)';
}

function pick(e: { code: DeviceErrorCode; detail: string; status?: number }) {
  return e.status === undefined ? { code: e.code, detail: e.detail } : { code: e.code, detail: e.detail, status: e.status };
}
