/**
 * Reading the page through `window.__xiaozhi` (web/src/app/test-hook.ts). Functions passed to `hook`
 * and `waitHook` run inside the page: they must not close over test variables.
 */
import type { Page } from 'playwright-core';

export type Hook = {
  state(): { phase: string; turn: string; reached: Record<string, boolean>; entries: { kind: string; text: string }[]; failure: { code: number; verdict: string; explanation: string } | null } | null;
  outputLevel(): number;
  inputLevel(): number | null;
  stats(): { player: { firstAudioMs: number | null; underruns: number; depthMs: number } | null };
  toolCalls(): { name: string; ok: boolean }[];
  sent(): Record<string, unknown>[];
  stages(): string[];
};

/** Runs `fn` against the hook in the page and returns its (serialisable) result. */
export const hook = <T>(page: Page, fn: (h: Hook) => T) => page.evaluate(`(${fn.toString()})(window.__xiaozhi)`) as Promise<T>;

/** Waits until `fn` is truthy in the page (polled every 20 ms). */
/**
 * Polls `fn` every 20 ms until it returns something truthy. Polled from Node with `page.evaluate` (run over
 * the DevTools protocol) because `waitForFunction` with a string evaluates it inside the page, which the
 * app's Content-Security-Policy (no 'unsafe-eval') rightly refuses.
 */
export async function waitHook(page: Page, fn: (h: Hook) => unknown, timeout = 15_000): Promise<unknown> {
  const src = `(() => { try { return (${fn.toString()})(window.__xiaozhi); } catch { return false; } })()`;
  const end = Date.now() + timeout;
  for (;;) {
    const v: unknown = await page.evaluate(src);
    if (v) return v;
    if (Date.now() > end) throw new Error(`waitHook: not true within ${timeout} ms: ${fn.toString()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Microphone RMS above this is speech (≈ −40 dBFS; the fake mic's silence is digital zero). */
const LOUD = 0.01;

/**
 * Resolves once the open microphone has been quiet for `quietMs` — after some speech first when
 * `afterSpeech` — as the page itself measures it. Used to line turns up with the fake mic's loop:
 * quiet for longer than any pause inside the sentence means we are in the silence between loops.
 * Returns how long it waited, ms.
 */
export function waitMicQuiet(page: Page, quietMs: number, afterSpeech: boolean, timeoutMs = 15_000): Promise<number> {
  return page.evaluate(
    async ({ quietMs, afterSpeech, timeoutMs, loud }) => {
      const h = (window as unknown as { __xiaozhi: { inputLevel(): number | null } }).__xiaozhi;
      const t0 = performance.now();
      let spoke = false;
      let quietSince: number | null = null;
      while (performance.now() - t0 < timeoutMs) {
        const level = h.inputLevel();
        const now = performance.now();
        if (level === null) quietSince = null; // mic not open yet: nothing known
        else if (level > loud) {
          spoke = true;
          quietSince = null;
        } else {
          quietSince ??= now;
          if ((spoke || !afterSpeech) && now - quietSince >= quietMs) return now - t0;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`microphone never quiet for ${quietMs} ms${afterSpeech ? ' after speech' : ''} within ${timeoutMs} ms`);
    },
    { quietMs, afterSpeech, timeoutMs, loud: LOUD },
  );
}
