/**
 * How a cell shows its value, by column type, and who else is in it (presence outline and name tag).
 */
import type { ICellRendererComp, ICellRendererParams } from 'ag-grid-community';
import { anchorsOf } from '../../model/anchors';
import type { CellValue, Column } from '../../model/columns';
import { isPlace } from '../../model/places';
import type { PresenceUser } from '../sync/presence';
import type { RowData } from './binding';
import type { GridContext } from './context';
import { toText } from './values';

export interface CellRendererParams extends ICellRendererParams<RowData, CellValue, GridContext> {
  tesseraColumn: Column;
}

export class CellRenderer implements ICellRendererComp<RowData> {
  private gui = document.createElement('span');

  init(params: CellRendererParams): void {
    this.gui.className = 'cell-value';
    this.render(params);
  }

  getGui(): HTMLElement {
    return this.gui;
  }

  refresh(params: CellRendererParams): boolean {
    this.render(params);
    return true;
  }

  private render(params: CellRendererParams): void {
    const column = params.tesseraColumn;
    const value = params.value ?? null;
    this.gui.replaceChildren(...renderValue(column, value, params.context));
    const tag = showPresence(params);
    if (tag) this.gui.append(tag);
  }
}

function renderValue(column: Column, value: CellValue, ctx: GridContext): Node[] {
  if (value === null || value === '') return [];
  const text = (t: string) => document.createTextNode(t);
  switch (column.type) {
    case 'enum':
      return typeof value === 'string' ? [chip(value, column.options?.includes(value) ?? false)] : [text(toText(value))];
    case 'multi':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.map((v) => chip(v, column.options?.includes(v) ?? false))
        : [text(toText(value))];
    case 'boolean':
      if (typeof value !== 'boolean') return [text(toText(value))];
      return [span(value ? 'bool yes' : 'bool no', value ? 'Yes' : 'No')];
    case 'url': {
      if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return [text(toText(value))];
      const a = document.createElement('a');
      a.href = value;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = value.replace(/^https?:\/\/(www\.)?/i, '');
      a.tabIndex = -1;
      return [a];
    }
    case 'ref': {
      if (typeof value !== 'string' || !column.ref) return [text(toText(value))];
      const label = ctx.refLabel(column.ref, value);
      return label === null ? [span('ref-missing', `missing row ${value}`)] : [span('ref-label', label)];
    }
    case 'evidence': {
      const anchors = anchorsOf(value);
      return anchors.length === 0 ? [text(toText(value))] : [span('evidence-cell', evidenceText(anchors.map((a) => a.exact)))];
    }
    case 'place':
      // The name, then the country and the precision (p1 a town … p4 a country).
      return isPlace(value)
        ? [span('place-name', value.name), span('place-meta', `${value.country ?? ''} p${value.precision}`.trim())]
        : [text(toText(value))];
    case 'longtext':
      // One line in the grid; the editor and the tooltip show all of it.
      return [text(toText(value).replace(/\s*\n+\s*/g, ' ⏎ '))];
    default:
      return [text(toText(value))];
  }
}

/** An evidence cell as its first passage's start, and how many more: “All parties concerned…” +1. */
export function evidenceText(exacts: readonly string[]): string {
  const first = exacts[0]!.replace(/\s+/g, ' ').trim();
  const start = [...first].length > 40 ? `${[...first].slice(0, 39).join('').trimEnd()}…` : first;
  return `“${start}”${exacts.length > 1 ? ` +${exacts.length - 1}` : ''}`;
}

function chip(code: string, known: boolean): HTMLElement {
  return span(known ? 'chip' : 'chip unknown', code);
}

function span(className: string, content: string): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = content;
  return el;
}

/** Outlines the grid cell of a renderer for whoever else is in it (see `outlinePresence`). */
function showPresence(params: CellRendererParams): HTMLElement | null {
  const rowId = params.data?.id;
  return outlinePresence(params.eGridCell, rowId === undefined ? [] : params.context.presenceAt(rowId, params.tesseraColumn.id));
}

/**
 * Outlines a grid cell in the colour of the first of the people in it, in both grids; returns the tag
 * with their name (positioned against the cell by CSS, the others counted and named on hover), or null
 * when nobody is there.
 */
export function outlinePresence(cell: HTMLElement, users: readonly Pick<PresenceUser, 'name' | 'color'>[]): HTMLElement | null {
  if (users.length === 0) {
    cell.classList.remove('has-presence');
    cell.style.removeProperty('--presence-color');
    return null;
  }
  const first = users[0]!;
  cell.classList.add('has-presence');
  cell.style.setProperty('--presence-color', first.color);
  const tag = span('presence-tag', users.length > 1 ? `${first.name} +${users.length - 1}` : first.name);
  tag.title = users.map((u) => u.name).join(', ');
  return tag;
}
