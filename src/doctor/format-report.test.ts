import { describe, expect, it } from 'vitest';
import { formatReport } from './format-report.ts';
import { summarize } from './summary.ts';
import type { DoctorReport, StageResult } from './types.ts';

const ok = (id: StageResult['id'], ms: number, detail = 'fine'): StageResult => ({ id, status: 'ok', ms, detail });
const failing: StageResult[] = [
  ok('config', 1), ok('dns', 2), ok('tcp-tls', 3), ok('ota', 40),
  { id: 'activation', status: 'fail', ms: 0, detail: 'this device is not activated yet; its activation code is 123456', hint: 'enter the code 123456 at https://xiaozhi.me/', data: { code: '123456' } },
  { id: 'ws-upgrade', status: 'skip', ms: 0, detail: 'not run: an earlier stage failed' },
];

describe('summarize', () => {
  it('says what failed and what to do, in one sentence per language', () => {
    expect(summarize(failing, 'en')).toBe('Activation failed: this device is not activated yet; its activation code is 123456 — enter the code 123456 at https://xiaozhi.me/.');
    const zh = summarize([{ ...failing[4]!, detail: '该设备尚未激活；激活码为 123456', hint: '请在 https://xiaozhi.me/ 输入激活码 123456' }], 'zh');
    expect(zh).toBe('设备激活失败：该设备尚未激活；激活码为 123456——请在 https://xiaozhi.me/ 输入激活码 123456。');
  });
  it('reports success with session, packets and the first warning', () => {
    const stages: StageResult[] = [ok('config', 1), { id: 'tcp-tls', status: 'warn', ms: 5, detail: 'certificate expires in 1 day(s).' },
      { ...ok('hello', 10), data: { sessionId: 'ab12' } }, { ...ok('turn', 900), data: { audioPackets: 42 } }];
    expect(summarize(stages, 'en')).toBe('All 4 checks passed in 916 ms (session ab12, test turn received 42 audio packets); note (TCP/TLS): certificate expires in 1 day(s).');
    expect(summarize(stages, 'zh')).toMatch(/^全部 4 项检查通过，用时 916 毫秒（会话 ab12，测试对话收到 42 个音频包）；注意（TCP\/TLS 连接）/);
  });
});

describe('formatReport', () => {
  const report: DoctorReport = { ok: false, stages: failing, failedStage: 'activation', summary: summarize(failing, 'en'), lang: 'en' };
  it('prints one line per stage with timing, the hint under the failure, and the summary', () => {
    const text = formatReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('XiaoZhi connection doctor');
    expect(text).toMatch(/✔ OTA\s+40 ms {2}fine/);
    expect(text).toMatch(/✘ Activation\s+0 ms {2}this device is not activated/);
    expect(text).toMatch(/\n\s+→ enter the code 123456/);
    expect(text).toMatch(/– WebSocket upgrade\s+not run/);
    expect(text).toContain('PROBLEM: Activation failed');
    expect(text).not.toContain('\x1b[');
    expect(formatReport(report, { color: true })).toContain('\x1b[31m✘\x1b[0m');
  });
  it('aligns Chinese stage names by display width', () => {
    const zh: DoctorReport = { ...report, lang: 'zh', summary: '…' };
    const lines = formatReport(zh).split('\n').filter((l) => /^[✔✘–]/.test(l));
    const width = (t: string) => [...t].reduce((w, ch) => w + (/[\u4e00-\u9fff]/.test(ch) ? 2 : 1), 0);
    const withTime = lines.filter((l) => / ms/.test(l)).map((l) => width(l.slice(0, l.indexOf(' ms') + 3)));
    expect(withTime.length).toBe(5);
    expect(new Set(withTime).size).toBe(1);
    expect(formatReport(zh)).toContain('小智连接诊断');
    expect(formatReport(zh)).toContain('问题：…');
  });
});
