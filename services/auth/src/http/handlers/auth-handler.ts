import type { AuthApi, OperationHandler } from '@platform/common';
import type { Principal } from '../../sessions/principal.js';

type Op = AuthApi.operations;

/** The handler of auth operation `K`: with the verified caller when the contract secures `K`. */
export type AuthHandler<K extends keyof Op> = OperationHandler<
  Op,
  AuthApi.SecuredOperations,
  Principal,
  K
>;
