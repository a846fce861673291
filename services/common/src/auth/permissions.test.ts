import { describe, expect, it } from 'vitest';
import { isAllowed, permissionsOf, rolesGranting } from './permissions.js';

describe('role to permission mapping', () => {
  it('When roles are combined, then their permissions are united and unknown roles grant nothing', () => {
    expect(permissionsOf(['user', 'support'])).toEqual([
      'accounts:recover',
      'profile:read',
      'profile:write',
      'roles:read',
      'sessions:revoke-any',
      'sessions:revoke-own',
      'users:read',
    ]);
    expect(permissionsOf(['root', 'superuser'])).toEqual([]);
  });

  it('When an operation lists roles and permissions, then any one of them is enough', () => {
    const required = { roles: ['admin'], permissions: ['sessions:revoke-any'] };
    expect(isAllowed(['admin'], required)).toBe(true);
    expect(isAllowed(['support'], required)).toBe(true);
    expect(isAllowed(['user'], required)).toBe(false);
    expect(isAllowed([], required)).toBe(false);
    expect(isAllowed(['user'], {})).toBe(true);
  });

  it('When a permission is needed, then the roles that grant it are the ones a gateway must require', () => {
    expect(rolesGranting('roles:manage')).toEqual(['admin']);
    expect(rolesGranting('sessions:revoke-any')).toEqual(['support', 'admin']);
    expect(rolesGranting('profile:read')).toEqual(['user', 'admin']);
    expect(rolesGranting('accounts:recover')).toEqual(['support', 'admin']);
    expect(rolesGranting('accounts:verify-email')).toEqual(['admin']);
    expect(rolesGranting('mfa:reset')).toEqual(['admin']);
    expect(rolesGranting('users:read')).toEqual(['support', 'admin']);
    expect(rolesGranting('users:manage')).toEqual(['admin']);
    expect(rolesGranting('audit:read')).toEqual(['admin']);
  });
});
