/**
 * Who may do what on a dataset: the one place routes and sockets ask. Today every user acts on every
 * dataset with their global role; per-dataset membership plugs in here. An archived dataset is
 * read-only for everyone: roles on it go no higher than `viewer`, and only its managers may restore
 * or delete it.
 */
import { hasRole, type Role } from '../model/roles';
import type { User } from './auth/users';
import { forbidden } from './errors';
import type { DatasetRecord } from './storage';

/** The user's own role on a dataset, archived or not; null when the dataset does not exist for them. */
function memberRole(user: User, _dataset: DatasetRecord): Role | null {
  return user.role;
}

/** The user's role on a dataset, or null when the dataset does not exist for them. */
export function datasetRole(user: User, dataset: DatasetRecord): Role | null {
  const role = memberRole(user, dataset);
  if (role === null) return null;
  return dataset.archivedAt !== null ? 'viewer' : role;
}

/** Whether the user may rename, archive, restore and delete the dataset (archived ones included). */
export function managesDataset(user: User, dataset: DatasetRecord): boolean {
  return memberRole(user, dataset) === 'admin';
}

/** Throws 403 unless `role` grants at least `needed`. */
export function assertRoleOn(role: Role, needed: Role): void {
  if (!hasRole(role, needed)) throw forbidden(`This needs the ${needed} role on this dataset; you are ${role === 'admin' ? 'an' : 'a'} ${role}`);
}
