import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { chromiumPath } from '../browser/helpers/chromium.ts';
import { helloRoundTrip, openWs, startTestGateway, type TestGateway } from './helpers.ts';

const DEVICE = '58:11:22:b7:26:42';
const CLIENT = '975b0760-0000-4000-8000-000000000001';
const exe = chromiumPath();
let dev: DevServer;
let gw: TestGateway;
let browser: Browser | undefined;

beforeAll(async () => {
  dev = await startDevServer({ port: 0, auth: 'token', logger: false });
  gw = await startTestGateway({ backendWsUrl: dev.wsUrl });
  if (exe) browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await dev?.close();
});

describe.skipIf(!exe)('/test.html in a real browser (the original manual flow)', () => {
  it('token + device id + client id → 代理连接成功 → 服务器握手成功 → 已连接 with the Session ID; CSP blocks nothing', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gw.url}/test.html`);
    expect(await page.inputValue('#proxyUrl')).toBe(`${gw.wsBase}/api/ws-proxy`);
    expect(await page.inputValue('#token')).toBe('');
    await page.fill('#token', dev.makeToken(CLIENT, DEVICE));
    await page.fill('#deviceId', DEVICE);
    await page.fill('#clientId', CLIENT);
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('sessionId')?.textContent !== '–', undefined, { timeout: 10_000 });
    for (const id of ['#stage-proxy', '#stage-hello', '#stage-connected']) expect(await page.getAttribute(id, 'class')).toBe('done');
    expect(await page.textContent('#status')).toContain('已连接');
    expect((await page.textContent('#sessionId'))?.length).toBeGreaterThan(3);
    await page.click('#disconnect');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('1000'));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without a built web app, / is the status page with the live connection count', async () => {
    const bare = await startTestGateway({ backendWsUrl: dev.wsUrl }, { webDir: mkdtempSync(join(tmpdir(), 'xzw-noweb-')) });
    try {
      const page = await browser!.newPage();
      await page.goto(`${bare.url}/`);
      expect(await page.title()).toContain('xiaozhi-web gateway');
      await page.waitForFunction(() => document.getElementById('connections')?.textContent === '0');
      const ws = openWs(`${bare.wsBase}/api/ws-proxy?token=${encodeURIComponent(dev.makeToken(CLIENT, DEVICE))}&device_id=${DEVICE}&client_id=${CLIENT}`);
      await helloRoundTrip(ws);
      await page.waitForFunction(() => document.getElementById('connections')?.textContent === '1', undefined, { timeout: 5000 });
      ws.ws.close();
      await page.close();
    } finally {
      await bare.close();
    }
  });
});
