export { createPlatformClient, type ClientOptions, type PlatformClient } from './client.js';
export { MemoryTokenStore, type TokenPair, type TokenStore } from './tokens.js';
export {
  mfaRequired,
  ProblemError,
  unwrap,
  type MfaRequiredProblem,
  type Problem,
} from './problem.js';
export { solveChallenge, type Challenge } from './challenge.js';
export type { paths as AuthPaths, components as AuthComponents } from './generated/auth-api.js';
export type { paths as UserPaths, components as UserComponents } from './generated/user-api.js';
