/**
 * The staged connection check (issue 4): config → DNS → TCP/TLS → OTA → activation → WebSocket upgrade
 * → hello → optional test turn. Stops at the first failing stage; later stages are reported as skipped
 * so every report lists all eight. Each stage has its own deadline (default 10 s).
 */
import type { Lang } from '../protocol/errors.ts';
import type { ProtocolVersion } from '../protocol/binary-frame.ts';
import type { OtaReply } from '../protocol/ota.ts';
import { checkActivation, checkOta } from './check-ota.ts';
import { checkConfig, type StageOutcome } from './check-config.ts';
import { checkHello, checkUpgrade, type UpgradeCheck } from './check-ws.ts';
import { checkTurn, DEFAULT_TURN_TEXT } from './check-turn.ts';
import { diagnoseNetError } from './net-errors.ts';
import { probeDns, probeTcpTls, targetsOf } from './probe-net.ts';
import { summarize } from './summary.ts';
import { tr } from './text.ts';
import { DoctorAbortedError, elapsed, stageSignal } from './timing.ts';
import { STAGE_IDS, type DoctorOptions, type DoctorReport, type StageId, type StageResult } from './types.ts';
import type { WsProbe } from './ws-probe.ts';

/** Longest wait after the server hello for an immediate close (§2.7 diagnosis). */
const SETTLE_MS = 1000;

/** Run the stages for plain DoctorOptions. `preflight` (a failed configuration step of the host) stops at config. */
export async function runStages(options: DoctorOptions, preflight?: StageOutcome): Promise<DoctorReport> {
  const lang: Lang = options.lang === 'zh' ? 'zh' : 'en';
  const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : 10_000;
  const stages: StageResult[] = [];
  let failed: StageId | undefined;

  const record = (id: StageId, start: number, o: StageOutcome): boolean => {
    const r: StageResult = { id, status: o.status, ms: elapsed(start), detail: o.detail };
    if (o.hint) r.hint = o.hint;
    if (o.data) r.data = Object.fromEntries(Object.entries(o.data).filter(([, v]) => v !== undefined));
    if (r.status === 'fail' && options.signal?.aborted) {
      // Whatever the stage saw, the cause is the caller's cancel (CLI exit code 4).
      r.detail = tr(lang, `cancelled during this stage (${r.detail})`, `在此阶段被取消（${r.detail}）`);
      r.data = { ...r.data, code: 'XZ_ABORTED' };
      delete r.hint;
    }
    stages.push(r);
    if (r.status === 'fail') failed = id;
    try {
      options.onStage?.(r);
    } catch {
      // a broken progress callback must not break the check
    }
    return r.status !== 'fail';
  };
  const skip = (id: StageId, detail: string) => record(id, performance.now(), { status: 'skip', detail });

  /** Run one stage under its own deadline; unexpected throws become a failed stage, not a crash. */
  const stage = async <T extends { outcome: StageOutcome }>(id: StageId, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    const start = performance.now();
    if (options.signal?.aborted) {
      record(id, start, { status: 'fail', detail: new DoctorAbortedError().message, data: { code: 'XZ_ABORTED' } });
      return undefined;
    }
    const { signal, dispose } = stageSignal(timeoutMs, options.signal);
    try {
      const r = await fn(signal);
      return record(id, start, r.outcome) ? r : undefined;
    } catch (err) {
      const d = diagnoseNetError(err, id, lang);
      record(id, start, { status: 'fail', detail: d.detail, hint: d.hint, data: { code: d.code } });
      return undefined;
    } finally {
      dispose();
    }
  };
  const wrap = (o: StageOutcome) => ({ outcome: o });

  let probe: WsProbe | undefined;
  try {
    await (async () => {
      const cfg = await stage('config', async () => (preflight ? { outcome: preflight, plan: {} } : checkConfig(options, lang)));
      if (!cfg) return;
      const targets = targetsOf({ ota: cfg.plan.otaUrl, ws: cfg.plan.wsUrl });
      if (!(await stage('dns', async (s) => wrap(await probeDns(targets, s, lang))))) return;
      if (!(await stage('tcp-tls', async (s) => wrap(await probeTcpTls(targets, s, lang, options.ca))))) return;

      let reply: OtaReply | undefined;
      const otaUrl = cfg.plan.otaUrl;
      if (otaUrl) {
        const ota = await stage('ota', (s) => checkOta(otaUrl, options, s, lang));
        if (!ota?.reply) return;
        reply = ota.reply;
        const r = reply;
        if (!(await stage('activation', async () => wrap(checkActivation(r, otaUrl, options, lang))))) return;
      } else {
        const note = tr(lang, 'no OTA URL given (check-token mode)', '未提供 OTA 地址（令牌检查模式）');
        skip('ota', note);
        skip('activation', tr(lang, 'not checked without an OTA URL; a close right after hello will be explained below', '没有 OTA 地址无法检查；若 hello 后立即断开，下方会给出解释'));
      }

      const wsUrl = options.wsUrl ?? reply?.websocket?.url;
      const otaToken = reply?.websocket?.token;
      const token = otaToken || options.token || undefined;
      // The OTA `websocket.version` selects the binary framing, as the firmware does (§2.2); else 1.
      const v = reply?.websocket?.version;
      const version: ProtocolVersion = v === 2 || v === 3 ? v : 1;
      const up = await stage('ws-upgrade', async (s): Promise<UpgradeCheck> => {
        if (!wsUrl) {
          return wrap({ status: 'fail', detail: tr(lang, 'there is no WebSocket URL: none was given and the OTA reply has none', '没有 WebSocket 地址：既未提供，OTA 回复中也没有'),
            hint: tr(lang, 'pass --url, or configure the server to hand out a websocket URL in its OTA reply', '请通过 --url 提供，或配置服务器在 OTA 回复中下发 websocket 地址') });
        }
        const r = await checkUpgrade(wsUrl, options, token, version, s, lang);
        if (r.outcome.data) r.outcome.data.protocolVersion = version;
        if (r.outcome.data) r.outcome.data.tokenSource = otaToken ? 'ota' : options.token ? 'option' : 'none';
        if (!options.wsUrl && reply?.websocket) r.outcome.data = { ...r.outcome.data, urlSource: 'ota' };
        return r;
      });
      if (!up?.probe) return;
      probe = up.probe;
      const p = probe;
      const hello = await stage('hello', (s) => checkHello(p, options, token, version, s, Math.min(SETTLE_MS, timeoutMs), lang));
      if (!hello) return;

      if (!options.turn) {
        skip('turn', tr(lang, 'no test turn requested (use --turn)', '未请求测试对话（使用 --turn）'));
        return;
      }
      const text = typeof options.turn === 'object' && options.turn.text ? options.turn.text : DEFAULT_TURN_TEXT[lang];
      await stage('turn', async () => wrap(await checkTurn(p, hello.hello?.session_id, text, hello.next, timeoutMs, options.signal, token, lang)));
    })();
  } finally {
    await probe?.dispose();
  }

  const reason = tr(lang, 'not run: an earlier stage failed', '未运行：前面的检查失败');
  for (const id of STAGE_IDS) if (!stages.some((s) => s.id === id)) skip(id, reason);
  stages.sort((a, b) => STAGE_IDS.indexOf(a.id) - STAGE_IDS.indexOf(b.id));
  const report: DoctorReport = { ok: failed === undefined, stages, summary: summarize(stages, lang), lang };
  if (failed) report.failedStage = failed;
  return report;
}

