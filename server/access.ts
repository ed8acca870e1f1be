/**
 * Who may do what on a dataset: the one place routes and sockets ask. Global admins act as admins
 * everywhere. A member of a dataset acts with their role on it. Anyone else acts with their global
 * role on a dataset open to `everyone`, and does not see a `members` dataset at all. An archived
 * dataset is read-only for everyone: roles on it go no higher than `viewer`, and only its managers may
 * restore or delete it.
 */
import { hasRole, type Role } from '../model/roles';
import type { User } from './auth/users';
import { forbidden } from './errors';
import type { DatasetCatalog, DatasetRecord } from './storage';

/**
 * The user's own role on a dataset, archived or not (on an archived one, what they act with once it is
 * restored); null when the dataset does not exist for them.
 */
export function ownRole(user: User, dataset: DatasetRecord, memberRole: Role | undefined): Role | null {
  if (user.role === 'admin') return 'admin';
  if (memberRole) return memberRole;
  return dataset.access === 'everyone' ? user.role : null;
}

/** The role the user acts with on a dataset, or null when the dataset does not exist for them. */
export function datasetRole(user: User, dataset: DatasetRecord, memberRole: Role | undefined): Role | null {
  const role = ownRole(user, dataset, memberRole);
  if (role === null) return null;
  return dataset.archivedAt !== null ? 'viewer' : role;
}

/** The user's role on a dataset, reading their membership from the catalog. */
export async function roleOn(catalog: DatasetCatalog, user: User, dataset: DatasetRecord): Promise<Role | null> {
  return datasetRole(user, dataset, await catalog.memberRole(dataset.id, user.id));
}

/** The user's own role on a dataset (see `ownRole`), reading their membership from the catalog. */
export async function ownRoleOn(catalog: DatasetCatalog, user: User, dataset: DatasetRecord): Promise<Role | null> {
  return ownRole(user, dataset, await catalog.memberRole(dataset.id, user.id));
}

/** Whether the user may rename, archive, restore and delete the dataset (archived ones included). */
export async function managesDataset(catalog: DatasetCatalog, user: User, dataset: DatasetRecord): Promise<boolean> {
  return await ownRoleOn(catalog, user, dataset) === 'admin';
}

/** Throws 403 unless `role` grants at least `needed`. */
export function assertRoleOn(role: Role, needed: Role): void {
  if (!hasRole(role, needed)) throw forbidden(`This needs the ${needed} role on this dataset; you are ${role === 'admin' ? 'an' : 'a'} ${role}`);
}
