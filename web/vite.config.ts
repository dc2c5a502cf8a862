// Builds the web app to dist/web (served by the gateway at `/`). `npm run build:web`.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: './',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The wasm Opus fallback (~150 KB gzip) is its own lazily loaded chunk.
    chunkSizeWarningLimit: 400,
    // Emit the capture worklet as a real file (a data: URL would trip a strict CSP).
    assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
  },
  // The app imports the isomorphic protocol core from ../src/protocol (never Node code).
  server: { fs: { allow: [repoRoot] } },
});
