/** Session records for `recentSessions()` and the one structured line logged per session close (§2.16). */
import type { SessionRecord } from './index.ts';
import type { Session } from './session.ts';

export function snapshot(s: Session): SessionRecord {
  const r: SessionRecord = {
    id: s.id,
    deviceIdHash: s.deviceIdHash,
    via: s.via,
    startedAt: s.startedAt,
    state: s.state,
    helloSent: s.helloSent,
    helloAnswered: s.helloAnswered,
    sessionIdSeen: s.sessionIdSeen,
    framesUp: s.framesUp,
    framesDown: s.framesDown,
    bytesUp: s.bytesUp,
    bytesDown: s.bytesDown,
    droppedAudioUp: s.up.dropped,
    droppedAudioDown: s.down.dropped,
  };
  if (s.relayMode !== undefined) r.relayMode = s.relayMode;
  if (s.profileName !== undefined) r.profileName = s.profileName;
  if (s.upstreamOpenAt) r.upstreamOpenAt = s.upstreamOpenAt;
  if (s.closedAt) r.closedAt = s.closedAt;
  if (s.clientHelloAt && s.serverHelloAt) r.helloRttMs = s.serverHelloAt - s.clientHelloAt;
  if (s.clientClose) r.clientClose = { ...s.clientClose, by: s.clientClose.by === 'upstream' ? 'gateway' : s.clientClose.by };
  if (s.upstreamClose) r.upstreamClose = { ...s.upstreamClose, by: s.upstreamClose.by === 'client' ? 'gateway' : s.upstreamClose.by };
  if (s.diagnosis) r.diagnosis = { ...s.diagnosis };
  return r;
}

/** Fields of the close log line: counts, durations, codes and the diagnosis — never payloads or tokens. */
export function closeLogFields(s: Session): Record<string, unknown> {
  return {
    evt: 'relay_close',
    sid: s.id,
    device: s.deviceIdHash,
    via: s.via,
    profile: s.profileName,
    durationMs: s.closedAt - s.startedAt,
    connectMs: s.upstreamOpenAt ? s.upstreamOpenAt - s.startedAt : undefined,
    openMs: s.upstreamOpenAt ? s.closedAt - s.upstreamOpenAt : undefined,
    helloSent: s.helloSent,
    helloAnswered: s.helloAnswered,
    helloRttMs: s.clientHelloAt && s.serverHelloAt ? s.serverHelloAt - s.clientHelloAt : undefined,
    sessionIdSeen: s.sessionIdSeen,
    relayMode: s.relayMode,
    tokenPlaceholder: s.tokenPlaceholder,
    devicePlaceholder: s.devicePlaceholder,
    deviceActivated: s.deviceActivated,
    framesUp: s.framesUp,
    framesDown: s.framesDown,
    bytesUp: s.bytesUp,
    bytesDown: s.bytesDown,
    droppedAudioUp: s.up.dropped,
    droppedAudioDown: s.down.dropped,
    clientClose: s.clientClose,
    upstreamClose: s.upstreamClose,
    dialFailure: s.dialFailure,
    diagnosis: s.diagnosis?.code,
  };
}
