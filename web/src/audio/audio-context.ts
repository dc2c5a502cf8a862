/**
 * One AudioContext for capture and playback, created on a user gesture with the interactive
 * latency hint (reliability-performance.md §4.2) and resumed when the browser suspended it.
 */
let ctx: AudioContext | null = null;

/**
 * Returns the shared context, creating it if needed. Synchronous on purpose: call it from a
 * click/keypress handler *before* any await, so browsers that demand a gesture (Safari) allow it.
 */
export function getAudioContext(): AudioContext {
  if (!ctx || ctx.state === 'closed') ctx = new AudioContext({ latencyHint: 'interactive' });
  // Never awaited: without a gesture the promise may stay pending until the next one.
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  return ctx;
}

/** The context if one exists already (never creates one outside a gesture). */
export function currentAudioContext(): AudioContext | null {
  return ctx;
}

/** Root-mean-square of a block of samples. */
export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (x[i] as number);
  return x.length ? Math.sqrt(s / x.length) : 0;
}
