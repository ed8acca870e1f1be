/**
 * Administering a dataset: its name, archive, access and members. Each change is checked, written and
 * audited in one transaction (refused or failed, nothing of it is kept); only once it has committed does
 * the document take the new name and do open sockets follow, on every instance: read-only when archived,
 * downgraded or closed for users whose role changed or who lost access.
 */
import type { DatasetPatch } from '../../model/http';
import type { Role } from '../../model/roles';
import { assertRoleOn, datasetRole, managesDataset, ownRole } from '../access';
import type { User } from '../auth/users';
import type { Services } from '../context';
import { forbidden, notFound } from '../errors';
import type { DatasetCatalog, DatasetRecord, NewAuditEntry } from '../storage';
import { type AfterCommitDeps, commitThen, logged } from './after-commit';

/** Who acts on a dataset, and with which role (as the dataset scope found them). */
export interface DatasetActor {
  user: User;
  dataset: DatasetRecord;
  role: Role;
}

export class DatasetAdmin {
  private readonly datasets: DatasetCatalog;
  private readonly deps: AfterCommitDeps;

  constructor({ storage, peers, registry, log }: Pick<Services, 'storage' | 'peers' | 'registry' | 'log'>) {
    this.datasets = storage.datasets;
    this.deps = { peers, registry, log };
  }

  /**
   * The datasets the user may open, each with the role they act with now (an archive caps it at viewer)
   * and their own role apart from the archive; archived ones only `withArchived`.
   */
  async list(user: User, withArchived: boolean) {
    const listed = [];
    for (const { memberRole, ...dataset } of await this.datasets.listFor(user.id)) {
      if (!withArchived && dataset.archivedAt !== null) continue;
      const role = datasetRole(user, dataset, memberRole);
      if (role !== null) listed.push({ dataset, role, ownRole: ownRole(user, dataset, memberRole)! });
    }
    return listed;
  }

  /**
   * Renames, archives or restores, and opens or closes a dataset: its managers only, archived or not. A
   * rename of an archived dataset waits for its restore (the archive is read-only); restoring and renaming
   * in one request is a rename of a restored dataset, renaming and archiving one of an active dataset.
   */
  async change({ user, dataset }: DatasetActor, patch: DatasetPatch): Promise<DatasetRecord> {
    if (!await managesDataset(this.datasets, user, dataset)) throw forbidden('Only an admin may rename, archive or delete a dataset');
    return commitThen(this.deps, async () => {
      const audit: NewAuditEntry[] = [];
      const entry = (action: string, detail: Record<string, unknown>) => audit.push({ actorId: user.id, action, target: dataset.id, detail });
      const changed = await this.datasets.changeDataset(dataset.id, (current) => {
        if (!current) throw notFound(`No dataset "${dataset.id}"`);
        const archived = current.archivedAt !== null;
        if (patch.archived === false && archived) entry('dataset.restore', { name: current.name });
        const rename = patch.name !== undefined && patch.name !== current.name;
        if (patch.name !== undefined && archived && patch.archived !== false) throw forbidden('This dataset is archived: restore it to rename it');
        if (rename) entry('dataset.rename', { from: current.name, to: patch.name });
        if (patch.archived === true && !archived) entry('dataset.archive', { name: patch.name ?? current.name });
        const access = patch.access !== undefined && patch.access !== current.access;
        if (access) entry('dataset.access', { from: current.access, to: patch.access });
        return {
          ...(rename && { name: patch.name }),
          ...(patch.archived !== undefined && patch.archived !== archived && { archivedAt: patch.archived ? Date.now() : null }),
          ...(access && { access: patch.access }),
          audit,
        };
      });
      return {
        answer: changed,
        after: [
          ...logged(audit),
          ...(changed.name !== dataset.name ? [{ kind: 'name-document' as const, datasetId: dataset.id, name: changed.name, userId: user.id }] : []),
          // Open sockets follow at once: read-only when archived, closed for users who lost access.
          { kind: 'recheck', datasetId: dataset.id },
        ],
      };
    });
  }

  /** Adds a member or changes their role (the dataset's admins, while it is active). */
  setMember(actor: DatasetActor, userName: string, role: Role): Promise<{ name: string; role: Role }> {
    return this.member(actor, userName, role);
  }

  /** Removes a member (the dataset's admins, while it is active). */
  async removeMember(actor: DatasetActor, userName: string): Promise<{ name: string; removed: true }> {
    const { name } = await this.member(actor, userName, null);
    return { name, removed: true };
  }

  private member({ user: by, dataset, role: actorRole }: DatasetActor, userName: string, role: Role | null): Promise<{ name: string; role: Role }> {
    if (dataset.archivedAt !== null) throw forbidden('This dataset is archived: it is read-only until an admin restores it');
    assertRoleOn(actorRole, 'admin');
    return commitThen(this.deps, async () => {
      let audit: NewAuditEntry;
      const user = await this.datasets.changeMember(dataset.id, userName, (user, current) => {
        if (!user) throw notFound(`No user "${userName}"`);
        if (role === null && current === undefined) throw notFound(`"${user.name}" is not a member of this dataset`);
        audit = role === null
          ? { actorId: by.id, action: 'member.remove', target: dataset.id, detail: { user: user.name } }
          : { actorId: by.id, action: 'member.set', target: dataset.id, detail: { user: user.name, role } };
        return { role, addedBy: by.id, audit: [audit] };
      });
      return {
        answer: { name: user.name, role: role ?? user.role },
        after: [...logged([audit!]), { kind: 'recheck', userId: user.id, datasetId: dataset.id }],
      };
    });
  }
}
