/**
 * The doctor against the real devserver (real sockets, port 0): every seeded failure is named at the
 * right stage, with the right explanation, and the healthy path passes with a real test turn.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/index.ts';
import { runDoctor, type DoctorReport, type StageResult } from '../../src/doctor/index.ts';
import { identity, selfSigned, type TestCert } from './helpers.ts';

const T = 1500; // per-stage timeout: quick tests
const servers: DevServer[] = [];
async function devserver(o: Parameters<typeof startDevServer>[0] = {}): Promise<DevServer> {
  const s = await startDevServer({ port: 0, logger: false, ...o });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const stage = (r: DoctorReport, id: StageResult['id']) => r.stages.find((s) => s.id === id)!;
const statuses = (r: DoctorReport) => r.stages.map((s) => `${s.id}:${s.status}`).join(' ');

describe('doctor against the devserver', () => {
  it('passes every stage on a healthy activated device, with a real test turn', async () => {
    const srv = await devserver({ auth: 'cloud' });
    const id = identity();
    srv.activateDevice(id.deviceId);
    const seen: string[] = [];
    const r = await runDoctor({ otaUrl: srv.otaUrl, ...id, turn: { text: '你好' }, timeoutMs: 5000, onStage: (s) => seen.push(s.id) });
    expect(statuses(r)).toBe('config:ok dns:ok tcp-tls:ok ota:ok activation:ok ws-upgrade:ok hello:ok turn:ok');
    expect(r.ok).toBe(true);
    expect(r.failedStage).toBeUndefined();
    expect(seen).toEqual(['config', 'dns', 'tcp-tls', 'ota', 'activation', 'ws-upgrade', 'hello', 'turn']);
    expect(stage(r, 'hello').data?.sessionId).toEqual(expect.any(String));
    expect(stage(r, 'hello').data?.audioParams).toMatchObject({ format: 'opus', sample_rate: 24000 });
    expect(stage(r, 'turn').data?.audioPackets).toBeGreaterThan(0);
    expect(stage(r, 'turn').data?.ttsStop).toBe(true);
    expect(stage(r, 'ws-upgrade').data).toMatchObject({ tokenSource: 'ota', urlSource: 'ota' });
    for (const s of r.stages) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(r.summary).toMatch(/^All 8 checks passed/);
    expect(r.summary).toMatch(/audio packets/);
  });

  it('names a refused port (server down) at TCP/TLS', async () => {
    const srv = await devserver();
    const url = srv.wsUrl;
    await srv.close();
    const r = await runDoctor({ wsUrl: url, ...identity(), token: 'test-token', timeoutMs: T });
    expect(r.failedStage).toBe('tcp-tls');
    expect(stage(r, 'tcp-tls').detail).toMatch(/ECONNREFUSED/);
    expect(stage(r, 'ota').status).toBe('skip');
    expect(stage(r, 'hello').status).toBe('skip');
    expect(r.summary).toMatch(/TCP\/TLS failed: .*refused.* — start the server/);
  });

  describe('TLS', () => {
    let good: TestCert;
    let wrongName: TestCert;
    beforeAll(() => {
      good = selfSigned('IP:127.0.0.1,DNS:localhost');
      wrongName = selfSigned('DNS:other.example');
    });

    it('names an untrusted self-signed certificate, and trusts it when given as ca', async () => {
      const srv = await devserver({ auth: 'open', tls: good });
      expect(srv.wsUrl).toMatch(/^wss:/);
      const id = identity();
      const r = await runDoctor({ otaUrl: srv.otaUrl, ...id, timeoutMs: T });
      expect(r.failedStage).toBe('tcp-tls');
      expect(stage(r, 'tcp-tls').detail).toMatch(/self-signed.*DEPTH_ZERO_SELF_SIGNED_CERT/);
      expect(stage(r, 'tcp-tls').hint).toMatch(/CA certificate/);

      const ok = await runDoctor({ otaUrl: srv.otaUrl, ...id, ca: good.cert, timeoutMs: T });
      // A 1-day certificate passes with a warning that it expires soon.
      expect(statuses(ok)).toBe('config:ok dns:ok tcp-tls:warn ota:ok activation:ok ws-upgrade:ok hello:ok turn:skip');
      expect(ok.ok).toBe(true);
      expect(stage(ok, 'tcp-tls').detail).toMatch(/TLSv1\.[23] verified/);
      expect(stage(ok, 'tcp-tls').detail).toMatch(/expires in [01] day/);
      expect(ok.summary).toMatch(/note \(TCP\/TLS\)/);
    });

    it('names a hostname mismatch even when the certificate is trusted', async () => {
      const srv = await devserver({ auth: 'open', tls: wrongName });
      const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), ca: wrongName.cert, timeoutMs: T });
      expect(r.failedStage).toBe('tcp-tls');
      expect(stage(r, 'tcp-tls').detail).toMatch(/hostname mismatch.*ERR_TLS_CERT_ALTNAME_INVALID/);
    });
  });

  it('names an upgrade refused with HTTP 401', async () => {
    const srv = await devserver({ auth: 'open', faults: { rejectUpgrade: 401 } });
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), token: 'test-token', timeoutMs: T });
    expect(r.failedStage).toBe('ws-upgrade');
    expect(stage(r, 'ws-upgrade').data?.httpStatus).toBe(401);
    expect(stage(r, 'ws-upgrade').detail).toMatch(/HTTP 401/);
    expect(r.summary).toMatch(/refused the handshake/);
  });

  it('stops at activation with the 6-digit code and where to enter it, without polling', async () => {
    const srv = await devserver({ auth: 'cloud' });
    const id = identity();
    const t0 = Date.now();
    const r = await runDoctor({ otaUrl: srv.otaUrl, ...id, timeoutMs: T });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.failedStage).toBe('activation');
    const code = stage(r, 'activation').data?.code as string;
    expect(code).toMatch(/^\d{6}$/);
    expect(stage(r, 'activation').data?.portal).toContain(srv.baseUrl);
    expect(r.summary).toContain(code);
    expect(r.summary).toMatch(/not activated/);
    expect(stage(r, 'ws-upgrade').status).toBe('skip');

    const zh = await runDoctor({ otaUrl: srv.otaUrl, ...id, timeoutMs: T, lang: 'zh' });
    expect(zh.lang).toBe('zh');
    expect(zh.summary).toMatch(/^设备激活失败：该设备尚未激活/);
    expect(zh.summary).toContain(stage(zh, 'activation').data?.code as string);
  });

  it('explains a close without status after hello in check-token mode (not activated, not a bad token)', async () => {
    const srv = await devserver({ auth: 'cloud' });
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), token: 'test-token', timeoutMs: T });
    expect(stage(r, 'ota').status).toBe('skip');
    expect(stage(r, 'activation').status).toBe('skip');
    expect(r.failedStage).toBe('hello');
    const h = stage(r, 'hello');
    expect(h.data?.code).toBe('XZ_DIAG_CLOSED_AFTER_HELLO');
    expect(h.data?.closeCode).toBe(1005);
    expect(h.detail).toMatch(/closed without a status code/);
    expect(h.hint).toMatch(/not activated/);
    expect(h.hint).toMatch(/test-token/);
    expect(h.hint).not.toMatch(/bad token|token is wrong/);
  });

  it('names an unanswered hello after the configured timeout', async () => {
    const srv = await devserver({ auth: 'open', faults: { noHello: true } });
    const t0 = Date.now();
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), timeoutMs: T });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(T - 50);
    expect(Date.now() - t0).toBeLessThan(T + 1500);
    expect(r.failedStage).toBe('hello');
    expect(stage(r, 'hello').data?.code).toBe('XZ_HELLO_TIMEOUT');
    expect(stage(r, 'hello').detail).toMatch(/did not answer within 1\.[45] s/);
  });

  it('names a close without status right after hello (closeAfterHello) on an activated device', async () => {
    const srv = await devserver({ auth: 'cloud', faults: { closeAfterHello: true } });
    const id = identity();
    srv.activateDevice(id.deviceId);
    const r = await runDoctor({ otaUrl: srv.otaUrl, ...id, timeoutMs: T });
    expect(stage(r, 'activation').status).toBe('ok');
    expect(r.failedStage).toBe('hello');
    expect(stage(r, 'hello').data?.code).toBe('XZ_DIAG_CLOSED_AFTER_HELLO');
    expect(stage(r, 'hello').data?.sessionId).toEqual(expect.any(String));
  });

  it('names a connection dropped mid-turn', async () => {
    const srv = await devserver({ auth: 'open', faults: { dropMidTurn: true } });
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), turn: true, timeoutMs: 5000 });
    expect(r.failedStage).toBe('turn');
    expect(stage(r, 'turn').data?.closeCode).toBe(1006);
    expect(stage(r, 'turn').detail).toMatch(/closed during the turn/);
  });

  it('names a server that stops answering during the turn (stopReading)', async () => {
    const srv = await devserver({ auth: 'open', faults: { stopReading: true } });
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), turn: { text: 'what time is it' }, timeoutMs: 1000 });
    expect(stage(r, 'hello').status).toBe('ok');
    expect(r.failedStage).toBe('turn');
    expect(stage(r, 'turn').detail).toMatch(/went quiet for 1\.0 s/);
    expect(stage(r, 'turn').hint).toMatch(/did not take the typed text/);
  });

  it('uses the OTA token in token mode and never prints it; a wrong token is named', async () => {
    const srv = await devserver({ auth: 'token' });
    const id = identity();
    const token = srv.makeToken(id.clientId, id.deviceId);
    const r = await runDoctor({ otaUrl: srv.otaUrl, ...id, timeoutMs: T });
    expect(r.ok).toBe(true);
    const check = await runDoctor({ wsUrl: srv.wsUrl, ...id, token, timeoutMs: T });
    expect(check.ok).toBe(true);
    expect(JSON.stringify(check)).not.toContain(token);
    expect(stage(check, 'config').detail).toContain(`${token.slice(0, 4)}…${token.slice(-3)}`);

    const bad = await runDoctor({ wsUrl: srv.wsUrl, ...id, token: 'wrongtoken-abcdef.123', timeoutMs: T });
    expect(bad.failedStage).toBe('hello');
    expect(stage(bad, 'hello').detail).toMatch(/认证失败/);
    expect(stage(bad, 'hello').hint).toMatch(/rejected the token/);
    expect(JSON.stringify(bad)).not.toContain('wrongtoken-abcdef.123');
  });

  it('names a placeholder device id at configuration without touching the network', async () => {
    const r = await runDoctor({ wsUrl: 'wss://api.tenclass.net/xiaozhi/v1/', deviceId: 'web-test-device', clientId: identity().clientId, token: 'test-token' });
    expect(r.failedStage).toBe('config');
    expect(r.summary).toMatch(/placeholder/);
    expect(stage(r, 'dns').status).toBe('skip');
  });

  it('lets a placeholder id through to a self-hosted server with a warning, then blames the id', async () => {
    const srv = await devserver({ auth: 'cloud' });
    const r = await runDoctor({ wsUrl: srv.wsUrl, deviceId: 'web-test-device', clientId: identity().clientId, token: 'test-token', timeoutMs: T });
    expect(stage(r, 'config').status).toBe('warn');
    expect(r.failedStage).toBe('hello');
    expect(stage(r, 'hello').hint).toMatch(/placeholder \(like web-test-device\)/);
  });

  it('stops when the caller aborts', async () => {
    const srv = await devserver({ auth: 'open', faults: { noHello: true } });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const t0 = Date.now();
    const r = await runDoctor({ wsUrl: srv.wsUrl, ...identity(), signal: ctl.signal, timeoutMs: 10_000 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.ok).toBe(false);
    expect(r.failedStage).toBe('hello');
    expect(stage(r, 'hello').data?.code).toBe('XZ_ABORTED');
    expect(stage(r, 'hello').detail).toMatch(/^cancelled during this stage/);
  });
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
