import type { SessionsRevokedEvent } from '@platform/common';
import type { ErasureRepository } from '../erasure/erasure-repository.js';
import type { RevocationRepository } from './revocation-repository.js';

/** Revocations forgotten per event, so that pruning never holds up the consumer for long. */
const EXPIRED_REVOCATIONS_PER_EVENT = 500;

/**
 * A `Sessions Revoked` event: its sessions are recorded (a redelivery adds nothing), and revocations
 * whose tokens have all expired are forgotten, a bounded batch at a time. Sessions of an erased
 * account are not recorded: the tombstone refuses its tokens already.
 */
export async function applySessionsRevoked(
  revocations: RevocationRepository,
  erasure: ErasureRepository,
  event: SessionsRevokedEvent,
): Promise<string> {
  if (await erasure.isErased(event.auth_id)) return 'erased';
  const added = await revocations.add(
    event.auth_id,
    event.session_ids,
    event.reason,
    new Date(event.expires_at),
  );
  await revocations.deleteExpired(new Date(), EXPIRED_REVOCATIONS_PER_EVENT);
  return `revoked ${added}`;
}
