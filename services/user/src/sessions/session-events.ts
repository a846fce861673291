import type { SessionsRevokedEvent } from '@platform/common';
import type { RevocationRepository } from './revocation-repository.js';

/** Revocations forgotten per event, so that pruning never holds up the consumer for long. */
const EXPIRED_REVOCATIONS_PER_EVENT = 500;

/**
 * A `Sessions Revoked` event: its sessions are recorded (a redelivery adds nothing), and revocations
 * whose tokens have all expired are forgotten, a bounded batch at a time.
 */
export async function applySessionsRevoked(
  revocations: RevocationRepository,
  event: SessionsRevokedEvent,
): Promise<string> {
  const added = await revocations.add(
    event.auth_id,
    event.session_ids,
    event.reason,
    new Date(event.expires_at),
  );
  await revocations.deleteExpired(new Date(), EXPIRED_REVOCATIONS_PER_EVENT);
  return `revoked ${added}`;
}
