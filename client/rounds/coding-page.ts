/**
 * A coder's blind copy of a round: the room `DATASET/rounds/ROUND`, where the server keeps this
 * coder's own document (the round's rows; the round's columns empty at first, the others as in the
 * dataset). The same grid as the dataset page, taking edits in the round's columns only and adding
 * no rows. "Submit" hands the copy in: from then on it is read-only, here and on the server.
 */
import { api } from '../api';
import { CloseCode, CloseReason } from '../../model/codes';
import { isEmpty } from '../../model/columns';
import { roundRoom } from '../../model/rooms';
import type { DatasetDetail, User as Me, Round } from '../../model/http';
import { SheetBinding } from '../grid/binding';
import { SheetGrid } from '../grid/grid';
import { signInPath } from '../router';
import { Connection, LOCAL_ORIGIN, statusText } from '../sync/connection';
import { Presence, colorFor } from '../sync/presence';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { whosHere } from '../pages/whos-here';
import { loadDataset, roundsTopBar, sheetColumns, showError } from './frame';
import './rounds.css';

export async function renderCoding(app: HTMLElement, me: Me, datasetId: string, roundId: string): Promise<void> {
  const dataset = await loadDataset(app, me, datasetId);
  if (!dataset) return;
  let round: Round;
  try {
    round = await api.get('/api/datasets/{id}/rounds/{roundId}', { params: { id: datasetId, roundId } });
  } catch (err) {
    showError(app, me, err, 'There is no such round here.');
    return;
  }
  document.title = `${round.name} · Tessera`;
  if (!round.isCoder) {
    replaceChildren(app, roundsTopBar(me, dataset, [round.name]),
      h('main', { class: 'page narrow' }, h('h1', {}, round.name),
        h('p', { class: 'muted', 'data-testid': 'not-a-coder' }, 'Only the round’s coders open its copies: each codes blind, in a copy of their own.')));
    return;
  }
  const names = sheetColumns(dataset, round.sheet);
  const page = new CodingPage(app, me, round, (id) => names.get(id)?.name ?? id);
  await page.open(dataset);
}

/** How long Submit waits for the last changes to be stored before it gives up and says so. */
const SAVE_WAIT_MS = 10_000;

class CodingPage {
  private readonly conn: Connection;
  private readonly presence: Presence;
  private grid: SheetGrid | null = null;
  private binding: SheetBinding | null = null;
  private submitted: boolean;
  private readonly gridHost = h('div', { class: 'grid-host', 'data-testid': 'grid' });
  private readonly status = h('span', { class: 'sync-status', 'data-testid': 'sync-status', role: 'status' });
  private readonly banner = h('p', { class: 'round-banner', 'data-testid': 'round-banner', role: 'status' });
  private readonly coded = h('span', { 'data-testid': 'round-coded' });
  private readonly submitButton = h('button', { type: 'button', class: 'button primary', 'data-testid': 'submit-round' }, 'Submit');
  private readonly who: ReturnType<typeof whosHere>;

  constructor(private readonly app: HTMLElement, private readonly me: Me, private round: Round, private readonly columnName: (id: string) => string) {
    this.submitted = mySubmission(round, me) !== null;
    this.conn = new Connection({
      datasetId: round.dataset,
      room: roundRoom(round.dataset, round.id),
      // The copy is the coder's own: kept offline apart from the dataset's.
      cacheName: `tessera:${location.host}:${me.id}:${round.dataset}:round:${round.id}:${round.createdAt}`,
      onFatal: (code, reason) => this.onFatal(code, reason),
      onRoleChange: () => void this.refreshRound(),
    });
    this.presence = new Presence(this.conn.provider.awareness, { name: me.name, color: colorFor(me.id) });
    this.who = whosHere(this.presence);
    this.submitButton.addEventListener('click', () => void this.submit());
  }

  async open(dataset: DatasetDetail): Promise<void> {
    const round = this.round;
    replaceChildren(this.app,
      roundsTopBar(this.me, dataset, [round.name], this.who.element, this.status),
      h('main', { class: 'dataset round-coding' },
        this.banner,
        h('div', { class: 'toolbar' },
          h('span', { class: 'round-columns-note' }, 'Code: ', h('strong', {}, round.columns.map(this.columnName).join(', ')),
            h('span', { class: 'muted' }, ' — the other columns are shown as in the dataset, read-only.')),
          h('span', { class: 'spacer' }),
          this.coded,
          this.submitButton,
        ),
        h('div', { class: 'workspace' }, this.gridHost),
      ),
    );
    this.conn.onStatus((s) => {
      this.status.textContent = statusText(s);
      this.status.dataset.state = s.state;
    });
    this.renderBanner();
    await this.conn.ready;
    // The round's cells start empty: to be coded, not missing.
    this.binding = new SheetBinding(this.conn.doc, round.sheet, { toCode: new Set(round.columns) });
    this.binding.on('rows', () => this.renderCoded());
    this.binding.on('reset', () => this.renderCoded());
    this.showGrid();
  }

  private showGrid(): void {
    if (!this.binding) return;
    this.grid?.destroy();
    replaceChildren(this.gridHost);
    const host = h('div', { class: 'grid' });
    this.gridHost.append(host);
    this.grid = new SheetGrid({
      container: host,
      doc: this.conn.doc,
      undo: this.conn.undo,
      origin: LOCAL_ORIGIN,
      binding: this.binding,
      presence: this.presence,
      readOnly: this.submitted,
      writableColumns: new Set(this.round.columns),
    });
    // The columns to code may sit far to the right of a wide sheet.
    const first = this.round.columns[0];
    if (first !== undefined) this.grid.api.ensureColumnVisible(first);
    this.renderCoded();
  }

  /** "7 of 9 cells coded": the round's cells with a value in this copy. */
  private renderCoded(): void {
    const rows = this.binding?.rows() ?? [];
    const total = rows.length * this.round.columns.length;
    let filled = 0;
    for (const row of rows) for (const column of this.round.columns) if (!isEmpty(row.cells[column])) filled++;
    this.coded.textContent = `${filled} of ${total} cells coded`;
  }

  private renderBanner(): void {
    const at = mySubmission(this.round, this.me);
    this.submitButton.hidden = at !== null;
    this.banner.dataset.state = at === null ? 'coding' : 'submitted';
    this.banner.textContent = at === null
      ? 'Blind coding: only you see this copy, and you see no other coder’s values. Submit when you are done.'
      : `Submitted ${new Date(at).toLocaleString()}: your copy is read-only now.`;
  }

  private async submit(): Promise<void> {
    // A value still in an editor is part of the coding.
    this.grid?.api.stopEditing();
    const coded = this.coded.textContent ?? '';
    const ok = await confirmDialog('Submit your coding?', 'Submit',
      `${coded}. Your copy becomes read-only: you cannot change it afterwards.`);
    if (!ok) return;
    // Submitting locks the copy on the server, which then refuses what it has not stored yet.
    if (!(await this.savedWithin(SAVE_WAIT_MS))) {
      toast('Your latest changes are not saved yet: submit once the status says Saved.', 'error');
      return;
    }
    this.submitButton.disabled = true;
    try {
      await api.post('/api/datasets/{id}/rounds/{roundId}/submit', { params: { id: this.round.dataset, roundId: this.round.id } });
    } catch (err) {
      toast(`Could not submit: ${(err as Error).message}`, 'error');
      this.submitButton.disabled = false;
      return;
    }
    await this.refreshRound();
  }

  /** Resolves true once every change of this tab is stored by the server, false after `ms` without. */
  private savedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let stop = () => {};
      const timer = setTimeout(() => { stop(); resolve(false); }, ms);
      stop = this.conn.onStatus((s) => {
        if (s.state !== 'saved') return;
        clearTimeout(timer);
        queueMicrotask(() => stop());
        resolve(true);
      });
    });
  }

  /** The server says something changed (this coder submitted, maybe in another tab): read the round again. */
  private async refreshRound(): Promise<void> {
    try {
      this.round = await api.get('/api/datasets/{id}/rounds/{roundId}', { params: { id: this.round.dataset, roundId: this.round.id } });
    } catch (err) {
      toast(`Could not read the round: ${(err as Error).message}`, 'error');
      return;
    }
    this.renderBanner();
    const submitted = mySubmission(this.round, this.me) !== null;
    if (submitted !== this.submitted) {
      this.submitted = submitted;
      this.showGrid();
    }
  }

  private onFatal(code: number, reason: string): void {
    if (code === CloseCode.Unauthorized) {
      location.href = signInPath('expired');
      return;
    }
    this.grid?.destroy();
    this.grid = null;
    replaceChildren(this.gridHost, h('p', { class: 'grid-message' },
      code === CloseCode.NotFound ? 'This round’s copy is not open to you, or the round no longer exists.'
        // The server refused the page's address, not this coder: nobody took the copy away.
        : reason === CloseReason.OriginNotAllowed ? `This address (${location.origin}) is not allowed by the server's settings: open Tessera at the address its administrator gave you.`
        : 'You may not open this copy.'));
  }
}

function mySubmission(round: Round, me: Me): string | null {
  return round.progress.find((p) => p.name === me.name)?.submittedAt ?? null;
}
