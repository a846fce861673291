import type {
  AccountDeactivateEvent,
  AccountErasedEvent,
  AccountReactivateEvent,
  RegisterEvent,
} from '@platform/common';
import type { ErasureRepository } from '../erasure/erasure-repository.js';
import type { ProfileRepository } from './profile-repository.js';

/**
 * What the auth service's account events do to profiles, inside the consumer's transaction (which
 * holds the account's lock, so each sees what the one before it committed). Events of one account
 * may arrive out of order and more than once; whatever their order, the profile ends as the account
 * is: a Register creates the profile unless it exists, and a deactivation that overtook it is
 * remembered, so the profile is then created inactive. A reactivation names the deactivation it
 * undoes and takes that message as applied, so a deactivation redelivered after it changes nothing;
 * it makes the profile active again, or, when it overtook the Register, forgets a remembered
 * deactivation. An erased account stays erased: its id is remembered (a tombstone), and a
 * Register, a deactivation or a reactivation of it that arrives after the erasure, late or delivered
 * again, changes nothing.
 */
export async function applyRegister(
  profiles: ProfileRepository,
  erasure: ErasureRepository,
  event: RegisterEvent,
): Promise<'created' | 'exists' | 'erased'> {
  if (await erasure.isErased(event.auth_id)) return 'erased';
  if (await profiles.exists(event.auth_id)) return 'exists';
  const deactivated = await profiles.wasDeactivatedEarly(event.auth_id);
  await profiles.create(event.auth_id, event.display_name, !deactivated);
  return 'created';
}

export async function applyDeactivate(
  profiles: ProfileRepository,
  erasure: ErasureRepository,
  event: AccountDeactivateEvent,
): Promise<'deactivated' | 'already-inactive' | 'remembered' | 'erased'> {
  if (await erasure.isErased(event.auth_id)) return 'erased';
  if (!(await profiles.exists(event.auth_id))) {
    await profiles.rememberDeactivation(event.auth_id);
    return 'remembered';
  }
  return (await profiles.deactivate(event.auth_id)) ? 'deactivated' : 'already-inactive';
}

export async function applyReactivate(
  profiles: ProfileRepository,
  event: AccountReactivateEvent,
): Promise<'reactivated' | 'already-active' | 'forgotten'> {
  if (event.deactivation_id) {
    await profiles.markProcessed(event.deactivation_id, 'Account Deactivate');
  }
  if (!(await profiles.exists(event.auth_id))) {
    await profiles.forgetDeactivation(event.auth_id);
    return 'forgotten';
  }
  return (await profiles.reactivate(event.auth_id)) ? 'reactivated' : 'already-active';
}

/** Deletes everything held about the account and leaves its tombstone; again, it changes nothing. */
export async function applyErased(
  erasure: ErasureRepository,
  event: AccountErasedEvent,
): Promise<'erased' | 'already-erased'> {
  if (await erasure.isErased(event.auth_id)) return 'already-erased';
  await erasure.erase(event.auth_id);
  return 'erased';
}
