import { errors } from '@platform/common';
import type { Profile } from './profile-repository.js';
import type { UserDeps } from '../deps.js';

/** The caller's active profile; 404 before the `Register` event arrives, 403 once deactivated. */
export async function activeProfile(
  deps: UserDeps,
  authId: number,
  /** The profile already read with the caller's token, if it was. */
  known?: Profile | null,
): Promise<Profile> {
  const profile = known === undefined ? await deps.store.profiles.findByAuthId(authId) : known;
  if (!profile) throw errors.notFound('No profile exists for this account yet.');
  if (!profile.isActive) throw errors.accountInactive();
  return profile;
}

export async function editBio(
  deps: UserDeps,
  authId: number,
  bio: string,
  known?: Profile | null,
): Promise<Profile> {
  await activeProfile(deps, authId, known);
  const updated = await deps.store.profiles.setBio(authId, bio);
  if (!updated) throw errors.notFound('No profile exists for this account yet.');
  return updated;
}
