/** The conversation screen: connection stages, transcript, talk controls, stats and tools. */
import type { GatewayApi } from '../api/gateway-api.ts';
import type { VoiceApp } from '../app/voice-app.ts';
import { t, type Lang } from '../i18n/strings.ts';
import { ConnectionPanel } from './connection-panel.tsx';
import { Conversation } from './conversation.tsx';
import { StatsPanel, ToolsPanel } from './stats-panel.tsx';
import { TalkControls } from './talk-controls.tsx';
import { useStore } from './use-store.ts';

export function TalkView(p: { app: VoiceApp; api: GatewayApi; lang: Lang; profileLabel: string; onSettings: () => void; onActivate: () => void }) {
  const state = useStore(p.app.store);
  const voiceAvailable = window.isSecureContext && !!navigator.mediaDevices?.getUserMedia;
  return (
    <div class="talk-view">
      <header class="topbar">
        <h1>
          {t(p.lang, 'appTitle')} <small class="muted">{p.profileLabel}</small>
        </h1>
        <button type="button" class="secondary" data-testid="open-settings" onClick={p.onSettings}>
          ⚙ {t(p.lang, 'settings')}
        </button>
      </header>
      <div class="columns">
        <main class="main-col">
          <ConnectionPanel
            status={state.status}
            lang={p.lang}
            api={p.api}
            profile={p.app.profile}
            onConnect={() => {
              p.app.unlockAudio();
              void p.app.connect();
            }}
            onDisconnect={() => p.app.disconnect()}
            onActivate={p.onActivate}
          />
          <Conversation entries={state.entries} lang={p.lang} />
          <TalkControls app={p.app} state={state} lang={p.lang} voiceAvailable={voiceAvailable} />
        </main>
        <aside class="side-col">
          <StatsPanel state={state} lang={p.lang} />
          <ToolsPanel app={p.app} state={state} lang={p.lang} />
        </aside>
      </div>
    </div>
  );
}
