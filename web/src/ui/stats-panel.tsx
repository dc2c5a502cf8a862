/** Stats drawn as sparklines (uplink/downlink kbps, jitter depth, output level) plus the MCP tool panel. */
import type { VoiceApp, VoiceState } from '../app/voice-app.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { Sparkline } from './sparkline.tsx';

export function StatsPanel({ state, lang }: { state: VoiceState; lang: Lang }) {
  const s = state.stats;
  const p = s.player;
  return (
    <section class="stats" data-testid="stats">
      <h3>{t(lang, 'stats')}</h3>
      <Sparkline label={t(lang, 'uplink')} values={s.upHistory} unit="kbps" max={32} digits={1} />
      <Sparkline label={t(lang, 'downlink')} values={s.downHistory} unit="kbps" max={32} digits={1} />
      <Sparkline label={t(lang, 'jitterDepth')} values={s.depthHistory} unit="ms" max={300} />
      <Sparkline label={t(lang, 'outputLevel')} values={s.levelHistory} unit="" max={0.3} digits={3} />
      <dl class="numbers">
        <dt>{t(lang, 'firstAudio')}</dt>
        <dd data-testid="first-audio">{p?.firstAudioMs != null ? `${p.firstAudioMs.toFixed(0)} ms` : '–'}</dd>
        <dt>{t(lang, 'underruns')}</dt>
        <dd>{p?.underruns ?? 0}</dd>
        <dt>{t(lang, 'jitterTarget')}</dt>
        <dd>{p ? `${p.targetMs} ms` : '–'}</dd>
        <dt>{t(lang, 'codec')}</dt>
        <dd>
          ↑{s.upCodec ?? '–'} ↓{p?.codec ?? '–'}
        </dd>
        <dt>{t(lang, 'uplinkDropped')}</dt>
        <dd>{s.upDropped}</dd>
      </dl>
    </section>
  );
}

export function ToolsPanel({ app, state, lang }: { app: VoiceApp; state: VoiceState; lang: Lang }) {
  return (
    <section class="tools" data-testid="tools">
      <h3>{t(lang, 'tools')}</h3>
      <ul class="tool-list">
        {app.mcp.describeTools().map((tool) => (
          <li key={tool.name} title={tool.description}>
            <code>{tool.name}</code>
          </li>
        ))}
      </ul>
      <h4>{t(lang, 'toolCalls')}</h4>
      {state.toolCalls.length === 0 ? (
        <p class="muted">{t(lang, 'noToolCalls')}</p>
      ) : (
        <ol class="tool-calls">
          {[...state.toolCalls].reverse().map((c) => (
            <li key={`${c.at}-${c.id}`} class={c.ok ? 'ok' : 'fail'}>
              <code>{c.name}</code> <span class="muted">{JSON.stringify(c.arguments ?? {})}</span> → {c.result}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
