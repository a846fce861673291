// The one mapping from roles to permissions. Both services and the gateway configuration check
// operations against it: an operation declares `x-required-roles` and/or `x-required-permissions` in
// its OpenAPI file, and a caller holding any one of those roles or permissions may call it.

export const ROLE_PERMISSIONS = {
  /** Every account: its own profile and sessions. */
  user: ['profile:read', 'profile:write', 'sessions:revoke-own'],
  /** Support staff: can see an account's roles, end its sessions and mail it a reset link, nothing more. */
  support: ['roles:read', 'sessions:revoke-any', 'accounts:recover'],
  /** Administers accounts. */
  admin: [
    'profile:read',
    'profile:write',
    'sessions:revoke-own',
    'roles:read',
    'roles:manage',
    'sessions:revoke-any',
    'accounts:deactivate',
    'accounts:recover',
    'accounts:verify-email',
    'users:manage',
  ],
} as const satisfies Record<string, readonly string[]>;

export type Role = keyof typeof ROLE_PERMISSIONS;
export type Permission = (typeof ROLE_PERMISSIONS)[Role][number];

export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[];

export function isRole(name: string): name is Role {
  return Object.hasOwn(ROLE_PERMISSIONS, name);
}

/** Every permission the roles grant; unknown role names grant nothing. */
export function permissionsOf(roles: readonly string[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) {
    if (isRole(role)) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  }
  return [...granted].sort();
}

/** The roles that grant a permission (what a gateway that only sees roles must require). */
export function rolesGranting(permission: string): Role[] {
  return ROLES.filter((role) => (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission));
}

export interface AccessRequirement {
  roles?: readonly string[] | undefined;
  permissions?: readonly string[] | undefined;
}

/** True when the caller holds any one of the required roles or permissions (or nothing is required). */
export function isAllowed(callerRoles: readonly string[], required: AccessRequirement): boolean {
  const roles = required.roles ?? [];
  const permissions = required.permissions ?? [];
  if (roles.length === 0 && permissions.length === 0) return true;
  if (roles.some((role) => callerRoles.includes(role))) return true;
  const held = permissionsOf(callerRoles) as string[];
  return permissions.some((permission) => held.includes(permission));
}

/** How the requirement reads in a 403 answer. */
export function describeRequirement(required: AccessRequirement): string {
  const parts = [
    ...(required.roles ?? []).map((role) => `the role ${role}`),
    ...(required.permissions ?? []).map((permission) => `the permission ${permission}`),
  ];
  return parts.join(' or ');
}
