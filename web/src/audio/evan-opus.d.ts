// Types for the inline-wasm libopus build we lazy-load as the WebCodecs fallback (ecosystem.md §1).
// `deno.js` carries the wasm inline; never `fetch.js`, which downloads it from a CDN at run time.
declare module '@evan/wasm/target/opus/deno.js' {
  export class Encoder {
    constructor(opts: { channels?: number; sample_rate?: number; application?: 'voip' | 'audio' | 'restricted_lowdelay' });
    /** Takes interleaved PCM16 bytes (one frame); returns one raw Opus packet. */
    encode(pcm: Uint8Array): Uint8Array;
    bitrate: number | 'auto' | 'max';
    drop(): void;
  }
  export class Decoder {
    constructor(opts: { channels?: number; sample_rate?: number });
    /** Takes one raw Opus packet; returns interleaved PCM16 bytes. */
    decode(packet: Uint8Array): Uint8Array;
    reset(): void;
    drop(): void;
  }
}
