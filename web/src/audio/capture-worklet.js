// Capture tap (aesthetics.md §7.6): runs on the audio thread at the context's native rate, mixes
// down to mono and posts ~43 ms batches (transferred, no copy on the main side). Resampling to
// 16 kHz and framing happen in capture.ts. Plain JS: AudioWorklet modules are loaded as-is.
const BATCH = 2048;

class XiaozhiCaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buf = new Float32Array(BATCH);
    this.fill = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) return true;
    const channels = input.length;
    const n = input[0].length;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++) s += input[c][i];
      this.buf[this.fill++] = s / channels;
      if (this.fill === BATCH) {
        this.port.postMessage(this.buf, [this.buf.buffer]);
        this.buf = new Float32Array(BATCH);
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('xiaozhi-capture', XiaozhiCaptureProcessor);
