import type { UserDeps } from '../deps.js';

/** GET /profile/export: every row the service holds about the caller's account, as the contract names it. */
export async function exportProfile(deps: UserDeps, authId: number) {
  const data = await deps.store.erasure.dataOf(authId);
  const iso = (at: Date) => at.toISOString();
  return {
    exported_at: iso(new Date()),
    auth_id: authId,
    profile: data.profile && {
      id: data.profile.id,
      display_name: data.profile.displayName,
      bio: data.profile.bio,
      is_active: data.profile.isActive,
      created_at: iso(data.profile.createdAt),
      updated_at: iso(data.profile.updatedAt),
    },
    deactivated_early_at: data.deactivatedEarlyAt && iso(data.deactivatedEarlyAt),
    revoked_sessions: data.revokedSessions.map((session) => ({
      session_id: session.sessionId,
      reason: session.reason,
      revoked_at: iso(session.revokedAt),
      expires_at: iso(session.expiresAt),
    })),
  };
}
