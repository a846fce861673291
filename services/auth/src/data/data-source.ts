import { createDataSource } from '@platform/common';
import { entities } from './entities.js';
import { LoginThrottleEntity } from '../throttle/throttle-repository.js';
import { InitialSchema1764072000000 } from './migrations/1764072000000-initial-schema.js';
import { AuditLog1764158400000 } from './migrations/1764158400000-audit-log.js';
import { LoginThrottle1764158460000 } from './migrations/1764158460000-login-throttle.js';
import { SupportRole1764158520000 } from './migrations/1764158520000-support-role.js';
import { AccountRecovery1764676800000 } from './migrations/1764676800000-account-recovery.js';
import { SessionDetails1764763200000 } from './migrations/1764763200000-session-details.js';
import { SecondFactors1764763260000 } from './migrations/1764763260000-second-factors.js';
import { Passkeys1764763320000 } from './migrations/1764763320000-passkeys.js';
import { OperatorDirectory1764763380000 } from './migrations/1764763380000-operator-directory.js';
import { AuditErasure1764849600000 } from './migrations/1764849600000-audit-erasure.js';

export const migrations = [
  InitialSchema1764072000000,
  AuditLog1764158400000,
  LoginThrottle1764158460000,
  SupportRole1764158520000,
  AccountRecovery1764676800000,
  SessionDetails1764763200000,
  SecondFactors1764763260000,
  Passkeys1764763320000,
  OperatorDirectory1764763380000,
  AuditErasure1764849600000,
];

export function authDataSource(url: string, opts: { poolSize?: number; timeoutMs?: number } = {}) {
  return createDataSource({
    url,
    entities: [...entities, LoginThrottleEntity],
    migrations,
    ...opts,
  });
}
