import type {
  AccountDeactivateEvent,
  AccountReactivateEvent,
  RegisterEvent,
} from '@platform/common';
import type { ProfileRepository } from './profile-repository.js';

/**
 * What the auth service's account events do to profiles, inside the consumer's transaction (which
 * holds the account's lock, so each sees what the one before it committed). Events of one account
 * may arrive out of order and more than once; whatever their order, the profile ends as the account
 * is: a Register creates the profile unless it exists, and a deactivation that overtook it is
 * remembered, so the profile is then created inactive. A reactivation names the deactivation it
 * undoes and takes that message as applied, so a deactivation redelivered after it changes nothing;
 * it makes the profile active again, or, when it overtook the Register, forgets a remembered
 * deactivation.
 */
export async function applyRegister(
  profiles: ProfileRepository,
  event: RegisterEvent,
): Promise<'created' | 'exists'> {
  if (await profiles.exists(event.auth_id)) return 'exists';
  const deactivated = await profiles.wasDeactivatedEarly(event.auth_id);
  await profiles.create(event.auth_id, event.display_name, !deactivated);
  return 'created';
}

export async function applyDeactivate(
  profiles: ProfileRepository,
  event: AccountDeactivateEvent,
): Promise<'deactivated' | 'already-inactive' | 'remembered'> {
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
