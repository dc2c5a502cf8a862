/**
 * One AudioContext for capture and playback, created on a user gesture with the interactive
 * latency hint (reliability-performance.md §4.2) and resumed when the browser suspended it.
 */
let ctx: AudioContext | null = null;

/** Returns the shared context, creating it if needed; call from a click/keypress handler. */
export async function getAudioContext(): Promise<AudioContext> {
  if (!ctx || ctx.state === 'closed') ctx = new AudioContext({ latencyHint: 'interactive' });
  if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
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
