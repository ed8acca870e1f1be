/** Roles, each including the one before: viewer < reviewer < editor < admin. */
export const ROLES = ['viewer', 'reviewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` grants at least what `needed` grants. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Editors and admins change rows; everyone else syncs read-only. */
export function canEdit(role: Role): boolean {
  return hasRole(role, 'editor');
}
