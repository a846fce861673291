import type { SessionsRevokedEvent } from '@platform/common';
import type { OutgoingEvent } from '../outbox/outbox-repository.js';

export type RevocationReason = SessionsRevokedEvent['reason'];

export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'logout',
  'refresh_token_reuse',
  'deactivation',
  'role_change',
  'logout_all',
  'admin_logout_all',
  'password_reset',
  'password_change',
  'logout_session',
  'mfa_change',
  'mfa_reset',
  'passkey_change',
  'erasure',
];

/** Sessions per message: the contract's limit, well inside the consumer's 64 KiB message cap. */
export const SESSIONS_PER_EVENT = 500;

/** `Sessions Revoked` events for the ended sessions of one account, as many as their number needs. */
export function sessionsRevoked(
  authId: number,
  sessions: readonly { id: string; expiresAt: Date }[],
  reason: RevocationReason,
  correlationId?: string,
): OutgoingEvent[] {
  const events: OutgoingEvent[] = [];
  for (let i = 0; i < sessions.length; i += SESSIONS_PER_EVENT) {
    const batch = sessions.slice(i, i + SESSIONS_PER_EVENT);
    const latest = Math.max(...batch.map((session) => session.expiresAt.getTime()));
    const payload: SessionsRevokedEvent = {
      event_type: 'Sessions Revoked',
      auth_id: authId,
      session_ids: batch.map((session) => session.id) as [string, ...string[]],
      reason,
      expires_at: new Date(latest).toISOString(),
    };
    events.push({ eventType: payload.event_type, aggregateId: authId, payload, correlationId });
  }
  return events;
}

/** The event types written when sessions end (so their counters exist from the start). */
export const SESSION_EVENT_TYPES: readonly SessionsRevokedEvent['event_type'][] = [
  'Sessions Revoked',
];
