/**
 * One activation run per profile, driven by the device layer's `activateProfile` (protocol §5.3), with
 * its progress kept as a state the API can poll or stream (server-sent events), and cancellable.
 */
import { activateProfile, type ActivationProgress } from '../../device/index.ts';
import type { ProfileStore } from '../../device/profile-store.ts';

export type ActivationStateName = 'idle' | 'ota' | 'code' | 'waiting' | 'activated' | 'failed' | 'cancelled';

export interface ActivationState {
  state: ActivationStateName;
  code?: string;
  message?: string;
  portalUrl?: string;
  attempt?: number;
  alreadyActivated?: boolean;
  error?: { code: string; detail: string; status?: number };
  /** Epoch ms of the last change. */
  at: number;
}

const TERMINAL = new Set<ActivationStateName>(['activated', 'failed', 'cancelled']);

export function isTerminal(s: ActivationState): boolean {
  return TERMINAL.has(s.state);
}

function isRunning(s: ActivationState): boolean {
  return s.state !== 'idle' && !TERMINAL.has(s.state);
}

interface Job {
  state: ActivationState;
  controller: AbortController;
  listeners: Set<(s: ActivationState) => void>;
  done: Promise<void>;
}

export interface ActivationJobsOptions {
  pollIntervalMs?: number;
  deadlineMs?: number;
  /** UPSTREAM_CA_FILE's PEM: a self-hosted server's OTA and activate endpoints are trusted like its WebSocket. */
  ca?: string;
}

export class ActivationJobs {
  readonly #jobs = new Map<string, Job>();

  constructor(private readonly store: ProfileStore, private readonly opts: ActivationJobsOptions = {}) {}

  /** Current state (idle when never started). */
  get(name: string): ActivationState {
    return this.#jobs.get(name)?.state ?? { state: 'idle', at: Date.now() };
  }

  /** Start unless one is already running for `name` (then the running one is reported). */
  start(name: string): { started: boolean; state: ActivationState } {
    const existing = this.#jobs.get(name);
    if (existing && isRunning(existing.state)) return { started: false, state: existing.state };
    const job: Job = {
      state: { state: 'ota', at: Date.now() },
      controller: new AbortController(),
      listeners: existing?.listeners ?? new Set(),
      done: Promise.resolve(),
    };
    this.#jobs.set(name, job);
    const set = (s: Omit<ActivationState, 'at'>) => {
      job.state = { ...s, at: Date.now() };
      for (const l of job.listeners) l(job.state);
    };
    const onProgress = (e: ActivationProgress) => {
      const prev = job.state;
      switch (e.type) {
        case 'ota-sent': return set({ ...carry(prev), state: 'ota' });
        case 'code-issued': return set({ state: 'code', code: e.code, message: e.message, portalUrl: e.portalUrl });
        case 'waiting': return set({ ...carry(prev), state: 'waiting', attempt: e.attempt });
        case 'activated': return set({ state: 'activated', alreadyActivated: e.alreadyActivated });
        case 'failed': return set({ ...carry(prev), state: 'failed', error: e.status === undefined ? { code: e.code, detail: e.detail } : { code: e.code, detail: e.detail, status: e.status }, message: e.detail });
        case 'cancelled': return set({ ...carry(prev), state: 'cancelled' });
      }
    };
    const runOpts: Parameters<typeof activateProfile>[2] = { signal: job.controller.signal, onProgress };
    if (this.opts.pollIntervalMs !== undefined) runOpts.pollIntervalMs = this.opts.pollIntervalMs;
    if (this.opts.deadlineMs !== undefined) runOpts.deadlineMs = this.opts.deadlineMs;
    if (this.opts.ca) runOpts.ca = this.opts.ca;
    job.done = activateProfile(this.store, name, runOpts).then(
      (r) => {
        if (!isTerminal(job.state)) {
          if (r.outcome === 'activated') set({ state: 'activated', alreadyActivated: r.alreadyActivated });
          else if (r.outcome === 'cancelled') set({ state: 'cancelled' });
          else set({ state: 'failed', error: { code: r.code, detail: r.detail }, message: r.detail });
        }
      },
      (err: unknown) => set({ state: 'failed', error: { code: 'XZ_INTERNAL', detail: err instanceof Error ? err.message : String(err) } }),
    );
    return { started: true, state: job.state };
  }

  /** Cancel a running activation; false when none runs. */
  cancel(name: string): boolean {
    const job = this.#jobs.get(name);
    if (!job || !isRunning(job.state)) return false;
    job.controller.abort();
    return true;
  }

  /** Listen for changes of `name`'s state; returns the unsubscribe function. */
  subscribe(name: string, listener: (s: ActivationState) => void): () => void {
    let job = this.#jobs.get(name);
    if (!job) {
      job = { state: { state: 'idle', at: Date.now() }, controller: new AbortController(), listeners: new Set(), done: Promise.resolve() };
      this.#jobs.set(name, job);
    }
    const j = job;
    j.listeners.add(listener);
    return () => j.listeners.delete(listener);
  }

  /** Cancel everything and wait for the runs to settle (shutdown). */
  async close(): Promise<void> {
    for (const job of this.#jobs.values()) if (isRunning(job.state)) job.controller.abort();
    await Promise.allSettled([...this.#jobs.values()].map((j) => j.done));
  }
}

/** Keep the code on screen while waiting (the user may still be typing it). */
function carry(prev: ActivationState): Partial<ActivationState> {
  const out: Partial<ActivationState> = {};
  if (prev.code !== undefined) out.code = prev.code;
  if (prev.message !== undefined) out.message = prev.message;
  if (prev.portalUrl !== undefined) out.portalUrl = prev.portalUrl;
  return out;
}
