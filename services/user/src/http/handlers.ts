import {
  healthHandlers,
  type OperationHandler,
  type Readiness,
  type UserApi,
} from '@platform/common';
import type { Profile } from '../profiles/profile-repository.js';
import type { UserDeps } from '../deps.js';
import type { Principal } from '../sessions/principal.js';
import { activeProfile, editBio } from '../profiles/profiles.js';
import { exportProfile } from '../erasure/profile-export.js';

/** The handler of user operation `K`: with the verified caller when the contract secures `K`. */
type UserHandler<K extends keyof UserApi.operations> = OperationHandler<
  UserApi.operations,
  UserApi.SecuredOperations,
  Principal,
  K
>;

const profileBody = (p: Profile) => ({
  id: p.id,
  auth_id: p.authId,
  display_name: p.displayName,
  bio: p.bio,
  is_active: p.isActive,
});

export function userHandlers(deps: UserDeps, readiness: Readiness) {
  const getProfile: UserHandler<'getProfile'> = async ({ principal }) => ({
    status: 200,
    body: profileBody(await activeProfile(deps, principal.userId, principal.profile)),
  });

  const editBioHandler: UserHandler<'editBio'> = async ({ principal, body }) => ({
    status: 200,
    body: profileBody(await editBio(deps, principal.userId, body.bio, principal.profile)),
  });

  const exportProfileHandler: UserHandler<'exportProfile'> = async ({ principal }) => ({
    status: 200,
    headers: {
      'Content-Disposition': 'attachment; filename="profile-export.json"',
      'Cache-Control': 'no-store',
    },
    body: await exportProfile(deps, principal.userId),
  });

  return {
    getProfile,
    exportProfile: exportProfileHandler,
    editBio: editBioHandler,
    ...healthHandlers(() => deps.store.ping(), readiness),
  };
}
