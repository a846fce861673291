import type {
  AccountDeactivateEvent,
  AccountErasedEvent,
  AccountReactivateEvent,
  RegisterEvent,
} from '@platform/common';
import type { OutgoingEvent } from '../outbox/outbox-repository.js';

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

/** `deactivationId`: the message id of the `Account Deactivate` this reactivation undoes. */
export function reactivated(
  authId: number,
  deactivationId: string | null,
  correlationId?: string,
): OutgoingEvent {
  const payload: AccountReactivateEvent = {
    event_type: 'Account Reactivate',
    auth_id: authId,
    is_active: true,
    ...(deactivationId ? { deactivation_id: deactivationId } : {}),
  };
  return { eventType: payload.event_type, aggregateId: authId, payload, correlationId };
}

export function erased(authId: number, correlationId?: string): OutgoingEvent {
  const payload: AccountErasedEvent = { event_type: 'Account Erased', auth_id: authId };
  return { eventType: payload.event_type, aggregateId: authId, payload, correlationId };
}

/** The event types written by account changes (so their counters exist from the start). */
export const ACCOUNT_EVENT_TYPES: readonly (
  | RegisterEvent['event_type']
  | AccountDeactivateEvent['event_type']
  | AccountReactivateEvent['event_type']
  | AccountErasedEvent['event_type']
)[] = ['Register', 'Account Deactivate', 'Account Reactivate', 'Account Erased'];
