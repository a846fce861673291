import { errors, type Handler, type UserApi } from '@platform/common';
import type { Profile } from '../profiles/profile-repository.js';
import type { UserDeps } from '../deps.js';
import type { Principal } from '../sessions/principal.js';
import { activeProfile, editBio } from '../profiles/profiles.js';

type Op = UserApi.operations;

export interface Readiness {
  draining: () => boolean;
  busHealthy: () => boolean;
}

const profileBody = (p: Profile) => ({
  id: p.id,
  auth_id: p.authId,
  display_name: p.displayName,
  bio: p.bio,
  is_active: p.isActive,
});

export function userHandlers(deps: UserDeps, readiness: Readiness) {
  const getProfile: Handler<Op['getProfile'], Principal> = async ({ principal }) => ({
    status: 200,
    body: profileBody(await activeProfile(deps, principal!.userId, principal!.profile)),
  });

  const editBioHandler: Handler<Op['editBio'], Principal> = async ({ principal, body }) => ({
    status: 200,
    body: profileBody(await editBio(deps, principal!.userId, body.bio, principal!.profile)),
  });

  const getHealth: Handler<Op['getHealth'], Principal> = async () => ({
    status: 200,
    body: { status: 'ok' },
  });

  const getReadiness: Handler<Op['getReadiness'], Principal> = async () => {
    if (readiness.draining()) throw errors.unavailable('The service is shutting down.');
    try {
      await deps.store.ping();
    } catch (err) {
      throw errors.unavailable('The database is unreachable.', err);
    }
    if (!readiness.busHealthy()) throw errors.unavailable('The message broker is unreachable.');
    return { status: 200, body: { status: 'ok' } };
  };

  return { getProfile, editBio: editBioHandler, getHealth, getReadiness };
}
