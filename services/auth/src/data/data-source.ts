import { createDataSource } from '@platform/common';
import { entities } from './entities.js';
import { InitialSchema1764072000000 } from './migrations/1764072000000-initial-schema.js';
import { AuditLog1764158400000 } from './migrations/1764158400000-audit-log.js';

export const migrations = [InitialSchema1764072000000, AuditLog1764158400000];

export function authDataSource(url: string, opts: { poolSize?: number; timeoutMs?: number } = {}) {
  return createDataSource({ url, entities, migrations, ...opts });
}
