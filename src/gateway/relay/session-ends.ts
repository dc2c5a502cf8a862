/**
 * Endings the gateway decides on its own (as opposed to forwarding a peer's close): a dead leg, a reader
 * too slow for JSON, an unanswered hello. Each records its catalogue diagnosis first, so the session log
 * line and `recentSessions()` say why.
 */
import { catalogueReason, diagnosisOf } from '../diagnosis.ts';
import type { Session } from './session.ts';

/** A leg missed two pongs: terminate it (no closing handshake with a dead peer) and close the other (§2.6). */
export function killLeg(s: Session, side: 'client' | 'upstream'): void {
  s.diagnosis ??= diagnosisOf('XZ_KEEPALIVE_TIMEOUT');
  s.ctx.metrics.keepaliveTerminations.inc({ side });
  if (s.state === 'open') s.state = 'closing';
  if (side === 'upstream') {
    s.upstreamClose ??= { code: 1006, reason: 'keepalive timeout', by: 'gateway' };
    s.upstream?.terminate();
    s.closeClient(1011, catalogueReason('XZ_KEEPALIVE_TIMEOUT', 'server leg'));
  } else {
    s.clientClose ??= { code: 1006, reason: 'keepalive timeout', by: 'gateway' };
    s.client?.terminate();
    s.closeUpstream(1001, 'client keepalive timeout');
  }
}

/** JSON could not be delivered within the hard bound: close 1013 rather than drop it silently (§2.3). */
export function overloaded(s: Session, dir: 'up' | 'down'): void {
  s.diagnosis ??= diagnosisOf('XZ_OVERLOADED');
  if (s.state === 'open') s.state = 'closing';
  const who = dir === 'down' ? 'browser not reading' : 'server not reading';
  s.closeClient(1013, catalogueReason('XZ_OVERLOADED', who));
  s.closeUpstream(1001, `gateway overloaded (${who})`);
}

/** Timer callback: the server never answered the hello — say so (4030) instead of leaving the page to guess. */
export function helloTimedOut(s: Session): void {
  s.clearHelloTimer();
  if (s.state !== 'open' || s.helloAnswered) return;
  s.diagnosis ??= diagnosisOf('XZ_HELLO_TIMEOUT');
  s.state = 'closing';
  s.closeClient(4030, catalogueReason('XZ_HELLO_TIMEOUT'));
  s.closeUpstream(1000, 'hello not answered');
}
