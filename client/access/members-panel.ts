/**
 * A dataset's members and who may open it (for its admins): the access switch, the members with their
 * roles, adding one by name, changing a role and removing one. Every change goes to the server at once;
 * an error leaves what is shown as the server has it and says why.
 */
import { api } from '../api';
import type { DatasetAccess, MemberList, User as Me } from '../../model/http';
import { ROLES, type Role } from '../../model/roles';
import { roleName } from '../pages/layout';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';

const ACCESS_TEXT: Record<DatasetAccess, { label: string; text: string }> = {
  everyone: {
    label: 'Everyone',
    text: 'Every user may open it, with their own role. A member below acts with the role given here instead.',
  },
  members: {
    label: 'Members only',
    text: 'Only the members below (with the role given here) and global admins may open it. To anyone else it does not exist.',
  },
};

export interface MembersPanelOptions {
  datasetId: string;
  me: Me;
  access: DatasetAccess;
  onClose: () => void;
  /** The access the server now has, after the switch was changed. */
  onAccessChange: (access: DatasetAccess) => void;
}

export class MembersPanel {
  readonly element: HTMLElement;
  private readonly list = h('div', { class: 'member-list', 'data-testid': 'members' }, h('p', { class: 'muted' }, 'Loading…'));
  private readonly error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'members-error' });
  private readonly names: HTMLDataListElement;
  private access: DatasetAccess;
  private destroyed = false;

  constructor(private readonly options: MembersPanelOptions) {
    this.access = options.access;
    this.names = h('datalist', { id: `member-names-${options.datasetId}` });
    this.error.hidden = true;
    this.element = h('section', { class: 'panel', 'aria-label': 'Members', 'data-testid': 'members-panel' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Members and access'),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: options.onClose }, '×')),
      h('div', { class: 'panel-body' },
        this.accessSwitch(),
        h('div', { class: 'members-section' }, h('h3', {}, 'Members'), this.list),
        this.addForm(),
        this.error,
      ),
    );
    void this.reload();
    // Global admins may list the users, so the name field suggests them; a dataset admin types the name.
    if (options.me.role === 'admin') void this.loadNames();
  }

  destroy(): void {
    this.destroyed = true;
    this.element.remove();
  }

  private async reload(): Promise<void> {
    try {
      const members = await api.get('/api/datasets/{id}/members', { params: { id: this.options.datasetId } });
      if (!this.destroyed) this.showMembers(members);
    } catch (err) {
      this.showError(`Could not load the members: ${(err as Error).message}`);
    }
  }

  private async loadNames(): Promise<void> {
    try {
      const users = await api.get('/api/users');
      replaceChildren(this.names, ...users.filter((u) => !u.disabled).map((u) => h('option', { value: u.name })));
    } catch {
      // Without suggestions the name is typed out: nothing is lost.
    }
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** Runs a change on the server; then shows the members as the server has them. */
  private async change(run: () => Promise<unknown>): Promise<boolean> {
    this.error.hidden = true;
    try {
      await run();
      return true;
    } catch (err) {
      // The server names the problem: `No user "Ana"`, or the role this needs.
      this.showError((err as Error).message);
      return false;
    } finally {
      await this.reload();
    }
  }

  private accessSwitch(): HTMLElement {
    const name = `access-${this.options.datasetId}`;
    const explain = h('p', { class: 'muted access-explain', 'data-testid': 'access-explain' }, ACCESS_TEXT[this.access].text);
    const radios = (Object.keys(ACCESS_TEXT) as DatasetAccess[]).map((access) => {
      const input = h('input', { type: 'radio', name, value: access, checked: access === this.access, 'data-testid': `access-${access}` });
      input.addEventListener('change', async () => {
        if (!input.checked) return;
        this.error.hidden = true;
        try {
          const dataset = await api.patch('/api/datasets/{id}', { params: { id: this.options.datasetId }, body: { access } });
          this.access = dataset.access ?? access;
          this.options.onAccessChange(this.access);
          toast(access === 'members' ? 'Now open to its members only' : 'Now open to everyone');
        } catch (err) {
          this.showError(`Could not change who may open it: ${(err as Error).message}`);
        }
        for (const radio of radios) radio.querySelector('input')!.checked = radio.dataset.access === this.access;
        explain.textContent = ACCESS_TEXT[this.access].text;
      });
      return h('label', { class: 'check access-option', 'data-access': access }, input, h('span', {}, ACCESS_TEXT[access].label));
    });
    return h('fieldset', { class: 'access-switch' }, h('legend', {}, 'Who may open this dataset'), ...radios, explain);
  }

  private showMembers(members: MemberList): void {
    if (members.length === 0) {
      replaceChildren(this.list, h('p', { class: 'muted' }, this.access === 'members'
        ? 'No members yet: only global admins may open it.'
        : 'No members yet: everyone acts with their own role.'));
      return;
    }
    replaceChildren(this.list, h('table', { class: 'table compact' },
      h('tbody', {}, ...members.map((m) => {
        const role = roleSelect(m.role, `Role of ${m.name}`);
        role.setAttribute('data-testid', 'member-role');
        role.addEventListener('change', () => void this.change(() => api.put('/api/datasets/{id}/members/{userName}', { params: { id: this.options.datasetId, userName: m.name }, body: { role: role.value as Role } })));
        const remove = h('button', {
          type: 'button', class: 'button subtle', 'data-testid': 'remove-member', title: `Remove ${m.name}`,
          onclick: async () => {
            const self = m.name === this.options.me.name;
            const ok = await confirmDialog(`Remove ${m.name} from this dataset?`, 'Remove',
              self && this.options.me.role !== 'admin'
                ? 'You are removing yourself: you may lose access to this dataset.'
                : 'Their open grids follow at once: read-only or closed, as their role without membership allows.');
            if (ok) await this.change(() => api.delete('/api/datasets/{id}/members/{userName}', { params: { id: this.options.datasetId, userName: m.name } }));
          },
        }, 'Remove');
        return h('tr', { 'data-member': m.name }, h('td', { class: 'member-name' }, m.name), h('td', {}, role), h('td', {}, remove));
      })),
    ));
  }

  private addForm(): HTMLElement {
    const name = h('input', {
      name: 'member', required: true, placeholder: 'User name', autocomplete: 'off', 'aria-label': 'User name',
      list: this.options.me.role === 'admin' ? this.names.id : null, 'data-testid': 'add-member-name',
    });
    const role = roleSelect('editor', 'Role of the new member');
    role.setAttribute('data-testid', 'add-member-role');
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'add-member' }, 'Add');
    const form = h('form', { class: 'add-member', 'aria-label': 'Add a member' },
      h('h3', {}, 'Add a member'), this.names,
      h('div', { class: 'add-member-row' }, name, role, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const who = name.value.trim();
      if (who === '') return;
      submit.disabled = true;
      if (await this.change(() => api.put('/api/datasets/{id}/members/{userName}', { params: { id: this.options.datasetId, userName: who }, body: { role: role.value as Role } }))) {
        name.value = '';
        toast(`${who} is now a member`);
      }
      submit.disabled = false;
    });
    return form;
  }
}

function roleSelect(selected: Role, label: string): HTMLSelectElement {
  return h('select', { 'aria-label': label }, ...ROLES.map((r) => h('option', { value: r, selected: r === selected }, roleName(r))));
}
