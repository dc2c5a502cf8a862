/**
 * SIGTERM / SIGINT handling (reliability-performance.md §2.10): readiness turns false, new sessions get
 * 503, every browser gets 1012 from the relay, upstreams are closed, and the process exits before the
 * hard deadline (SHUTDOWN_TIMEOUT_MS + 1 s ≤ 10 s) even if something hangs. A second signal exits at once.
 */
import type { Logger } from '../node/logger.ts';

export interface Closable {
  close(): Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Drain budget; the hard exit fires 1 s later. */
  shutdownTimeoutMs: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Install the handlers; returns a function that removes them. */
export function installShutdown(target: Closable, opts: ShutdownOptions): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ event: 'shutdown_forced', signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    opts.logger.info({ event: 'shutdown', signal }, 'shutting down: no new sessions, closing open ones with 1012');
    const hard = setTimeout(() => {
      opts.logger.error({ event: 'shutdown_timeout' }, 'shutdown deadline passed; exiting');
      exit(1);
    }, opts.shutdownTimeoutMs + 1000);
    hard.unref();
    target.close().then(
      () => exit(0),
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
