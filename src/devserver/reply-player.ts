/**
 * Paced downlink audio (§4.3): the first PREBUFFER packets go out at once, then one per frame period,
 * so a client that waits for a few packets before playing hears everything. Cancellable at any await.
 */
export const PREBUFFER_PACKETS = 4;
export const FRAME_MS = 60;

export class ReplyPlayer {
  cancelled = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  /** Stop at once; pending sleeps resolve immediately. */
  cancel(): void {
    this.cancelled = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.cancelled || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }

  /**
   * Send every packet through `send(packet, index)`; `send` returning false stops the stream.
   * Resolves true when all packets went out and the tail wait (client-side prebuffer) passed.
   */
  async play(packets: readonly Uint8Array[], send: (p: Uint8Array, i: number) => boolean): Promise<boolean> {
    const t0 = performance.now();
    for (let i = 0; i < packets.length; i++) {
      if (i >= PREBUFFER_PACKETS) {
        const wait = t0 + (i - PREBUFFER_PACKETS + 1) * FRAME_MS - performance.now();
        // When behind schedule (busy machine), still yield to I/O between packets so an abort is seen at once.
        if (wait > 0) await this.sleep(wait);
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (this.cancelled) return false;
      if (!send(packets[i]!, i)) return false;
    }
    // The client is still playing its prebuffer: `tts stop` comes when that has drained (ES does the same).
    // Playback began around t0, so it ends around t0 + N × frame.
    await this.sleep(t0 + packets.length * FRAME_MS - performance.now());
    return !this.cancelled;
  }
}
