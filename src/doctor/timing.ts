/** Stage deadlines and cancellation: one AbortSignal per stage that fires on timeout or on the caller's abort. */

/** Error raised when a stage deadline passes; `code` lets net-errors name it. */
export class StageTimeoutError extends Error {
  readonly code = 'XZ_TIMEOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Error raised when the caller aborted the run. */
export class DoctorAbortedError extends Error {
  readonly code = 'XZ_ABORTED';
  constructor() {
    super('the check was cancelled');
  }
}

/** A signal that aborts after `ms` or when `parent` aborts, with a typed reason. */
export function stageSignal(ms: number, parent?: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new StageTimeoutError(ms)), ms);
  const onParent = () => ctl.abort(new DoctorAbortedError());
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: ctl.signal,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Reject with the signal's reason when it aborts; resolve/reject with `p` otherwise. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** Milliseconds since `start` (performance clock), rounded. */
export const elapsed = (start: number): number => Math.round(performance.now() - start);
