/** Connection stages, the gateway's diagnosis in plain words, and the staged doctor report. */
import { useState } from 'preact/hooks';
import type { DoctorReport, GatewayApi } from '../api/gateway-api.ts';
import { t, type Lang } from '../i18n/strings.ts';
import type { SessionStatus } from '../session/session-types.ts';
import { errorText } from './error-text.ts';

interface Props {
  status: SessionStatus;
  lang: Lang;
  api: GatewayApi;
  profile: string;
  onConnect: () => void;
  onDisconnect: () => void;
  /** Offered when the failure says the device still needs activation. */
  onActivate?: () => void;
}

/** Close codes 4010–4029 are upstream dial failures (docs/close-codes.md): the XiaoZhi-server stage failed. */
const upstreamFailed = (s: SessionStatus) => {
  const c = s.failure?.code ?? 0;
  return c >= 4010 && c < 4030;
};

export function ConnectionPanel(p: Props) {
  const { status, lang } = p;
  const [doctor, setDoctor] = useState<DoctorReport | 'running' | string | null>(null);
  const r = status.reached;
  const failedNow = status.phase === 'failed' || status.phase === 'reconnecting' || status.phase === 'closed';
  const stages: [string, boolean, boolean][] = [
    [t(lang, 'stageGateway'), r.gateway, failedNow && !r.gateway],
    [t(lang, 'stageUpstream'), r.upstream, failedNow && upstreamFailed(status)],
    [t(lang, 'stageHello'), r.hello, failedNow && r.gateway && !r.hello && !upstreamFailed(status)],
    [t(lang, 'stageReady'), status.phase === 'ready', false],
  ];
  const runDoctor = async () => {
    setDoctor('running');
    try {
      setDoctor(await p.api.doctor(p.profile, false, lang === 'zh-CN' ? 'zh' : 'en'));
    } catch (e) {
      setDoctor(errorText(e, lang));
    }
  };
  const showFailure = status.failure && status.failure.verdict !== 'user' && status.phase !== 'ready';
  return (
    <section class="connection" data-phase={status.phase}>
      <ol class="stages" aria-label="connection stages">
        {stages.map(([label, ok, bad]) => (
          <li key={label} class={ok ? 'stage ok' : bad ? 'stage fail' : 'stage'}>
            {ok ? '✓' : bad ? '✗' : '·'} {label}
          </li>
        ))}
      </ol>
      <div class="connection-actions">
        {status.phase === 'ready' || status.phase === 'open' || status.phase === 'connecting' ? (
          <button type="button" class="secondary" onClick={p.onDisconnect}>
            {t(lang, 'disconnect')}
          </button>
        ) : (
          <button type="button" onClick={p.onConnect}>
            {t(lang, 'connect')}
          </button>
        )}
        <button type="button" class="secondary" onClick={runDoctor} data-testid="run-doctor">
          {t(lang, 'runDoctor')}
        </button>
      </div>
      {status.phase === 'connecting' && <p class="muted">{t(lang, 'connecting')}</p>}
      {showFailure && (
        <div class={status.phase === 'closed' ? 'notice' : 'notice error'} role="alert" data-testid="failure">
          <strong>
            {status.phase === 'closed' ? t(lang, 'sessionEnded') : t(lang, 'connectionFailed')}
            {status.failure!.code ? ` (${status.failure!.code})` : ''}
          </strong>
          <p>{status.failure!.explanation}</p>
          {status.failure!.reason && status.failure!.reason !== status.failure!.explanation && <p class="muted">{status.failure!.reason}</p>}
          {status.failure!.errorCode === 'XZ_PROFILE_NOT_ACTIVATED' && p.onActivate && (
            <button type="button" data-testid="go-activate" onClick={p.onActivate}>
              {t(lang, 'activateStart')}
            </button>
          )}
          {status.phase === 'reconnecting' && status.retryInMs !== undefined && (
            <p class="muted">
              {t(lang, 'reconnectingIn')} {(status.retryInMs / 1000).toFixed(1)} s
            </p>
          )}
        </div>
      )}
      {doctor && <DoctorView report={doctor} lang={lang} onClose={() => setDoctor(null)} />}
    </section>
  );
}

function DoctorView(props: { report: DoctorReport | string; lang: Lang; onClose: () => void }) {
  const { report, lang } = props;
  return (
    <div class="doctor" data-testid="doctor-report">
      <header>
        <strong>{t(lang, 'doctorTitle')}</strong>
        <button type="button" class="link" onClick={props.onClose}>
          {t(lang, 'close')}
        </button>
      </header>
      {report === 'running' ? (
        <p class="muted">{t(lang, 'doctorRunning')}</p>
      ) : typeof report === 'string' ? (
        <p class="notice error">{report}</p>
      ) : (
        <>
          <ol class="doctor-stages">
            {report.stages.map((s) => (
              <li key={s.id} class={`doctor-${s.status}`} data-stage={s.id} data-status={s.status}>
                <span class="doctor-icon">{s.status === 'ok' ? '✓' : s.status === 'fail' ? '✗' : s.status === 'warn' ? '!' : '–'}</span>
                <span class="doctor-id">{s.id}</span>
                <span class="muted">{s.ms} ms</span>
                <div>{s.detail}</div>
                {s.hint && <div class="hint">{s.hint}</div>}
              </li>
            ))}
          </ol>
          <p class={report.ok ? 'notice' : 'notice error'}>{report.summary}</p>
        </>
      )}
    </div>
  );
}
