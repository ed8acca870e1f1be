/**
 * Who may do what on a dataset: the one place routes and sockets ask. Today every user acts on every
 * dataset with their global role; per-dataset membership plugs in here.
 */
import { hasRole, type Role } from '../model/roles';
import type { User } from './auth/users';
import { forbidden } from './errors';
import type { DatasetRecord } from './storage';

/** The user's role on a dataset, or null when the dataset does not exist for them. */
export function datasetRole(user: User, _dataset: DatasetRecord): Role | null {
  return user.role;
}

/** Throws 403 unless `role` grants at least `needed`. */
export function assertRoleOn(role: Role, needed: Role): void {
  if (!hasRole(role, needed)) throw forbidden(`This needs the ${needed} role on this dataset; you are ${role === 'admin' ? 'an' : 'a'} ${role}`);
}
