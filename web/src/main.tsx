import { render } from 'preact';
import { GatewayApi } from './api/gateway-api.ts';
import { App } from './ui/app.tsx';
import './ui/styles.css';

const root = document.getElementById('app');
if (root) render(<App api={new GatewayApi()} />, root);

// Installable PWA; the worker only caches the app shell (never /api/).
if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register(new URL('./sw.js', document.baseURI)).catch(() => undefined);
  });
}
