import type { AuthDeps } from '../../deps.js';
import type { AuthHandler } from './auth-handler.js';

export function challengeHandlers(deps: AuthDeps) {
  const getChallenge: AuthHandler<'getChallenge'> = async () => {
    // Always SHA-256: the library's default, which this service never changes.
    const { challenge, maxnumber, salt, signature } = await deps.throttle.newChallenge();
    return {
      status: 200,
      body: { algorithm: 'SHA-256', challenge, maxnumber: maxnumber ?? 0, salt, signature },
      headers: { 'Cache-Control': 'no-store' },
    };
  };
  return { getChallenge };
}
