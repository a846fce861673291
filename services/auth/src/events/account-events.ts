import type { AccountDeactivateEvent, RegisterEvent, SessionsRevokedEvent } from '@platform/common';
import type { OutgoingEvent } from '../data/outbox-repository.js';

// The seed's wire payloads, typed by the generated event contracts.

export function registered(
  authId: number,
  displayName: string,
  correlationId?: string,
): OutgoingEvent {
  const payload: RegisterEvent = {
    event_type: 'Register',
    auth_id: authId,
    display_name: displayName,
  };
  return { eventType: payload.event_type, aggregateId: authId, payload, correlationId };
}

export function deactivated(authId: number, correlationId?: string): OutgoingEvent {
  const payload: AccountDeactivateEvent = {
    event_type: 'Account Deactivate',
    auth_id: authId,
    is_active: false,
  };
  return { eventType: payload.event_type, aggregateId: authId, payload, correlationId };
}

export type RevocationReason = SessionsRevokedEvent['reason'];

export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'logout',
  'refresh_token_reuse',
  'deactivation',
  'role_change',
  'logout_all',
  'admin_logout_all',
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

/** Every event type this service writes (so their counters exist from the start). */
export const ACCOUNT_EVENT_TYPES: readonly (
  | RegisterEvent['event_type']
  | AccountDeactivateEvent['event_type']
  | SessionsRevokedEvent['event_type']
)[] = ['Register', 'Account Deactivate', 'Sessions Revoked'];
