/**
 * The editor of a `place` cell (docs/places.md): searches the gazetteer as one types, best match first,
 * only in the row's country when its `country` cell names one. Arrows move, Enter or a click picks,
 * keys 1–4 set the precision (1 the town or city named, 2 near it or within its district, 3 only the
 * region, 4 only the country); Escape leaves the cell as it was.
 */
import type { ICellEditorParams } from 'ag-grid-community';
import type { CellValue, Column } from '../../model/columns';
import { isCountryCode } from '../../model/countries';
import { isPlace, namedPlace, type Place, PLACE_PRECISIONS, type PlacePrecision, PRECISION_LABELS } from '../../model/places';
import type { PlaceMatch } from '../../model/places-http';
import { searchPlaces } from '../api';
import type { RowData } from './binding';
import type { GridContext } from './context';
import { OptionList, keepCaretKey } from './option-list';
import { SearchPicker } from './search-picker';

type EditorParams = ICellEditorParams<RowData, CellValue, GridContext> & {
  tesseraColumn: Column;
  /** Another cell of the row being edited, for grids whose rows are not `RowData` (the paged grid's). */
  rowCell?: (columnId: string) => unknown;
};

/** Wait after the last key before asking the server (ms): a query per word, not per letter. */
const DEBOUNCE_MS = 200;
/** The column whose ISO 3166-1 alpha-3 code narrows the search, when the row's cell holds one. */
const COUNTRY_COLUMN = 'country';

/** The precision a pick starts with: a city is the town named, a region or a country only that. */
const KIND_PRECISION: Record<PlaceMatch['kind'], PlacePrecision> = { city: 1, admin1: 3, country: 4 };
const KIND_LABEL: Record<PlaceMatch['kind'], string> = { city: 'place', admin1: 'region', country: 'country' };

/** One line of the list: the cell's own place (kept as it is), or a gazetteer entry. */
type Choice = { kind: 'current'; place: Place } | { kind: 'match'; match: PlaceMatch };

export class PlaceEditor extends SearchPicker<EditorParams> {
  private readonly scope = document.createElement('label');
  private readonly scopeBox = document.createElement('input');
  private readonly list = new OptionList('pick-list place-list', () => {
    this.pick();
    this.params.stopEditing();
  });
  private readonly precisions = document.createElement('div');
  private current: Place | null = null;
  private country: string | null = null;
  private choices: Choice[] = [];
  /** Set by keys 1–4 (or a click): then it stays whatever is picked. */
  private precision: PlacePrecision | null = null;
  /** The query the list answers; a newer one is on its way while they differ. */
  private answered: string | null = null;

  init(params: EditorParams): void {
    this.params = params;
    const column = params.tesseraColumn;
    this.current = isPlace(params.value) ? params.value : null;
    const country = params.rowCell ? params.rowCell(COUNTRY_COLUMN) : params.data?.cells[COUNTRY_COLUMN];
    this.country = typeof country === 'string' && isCountryCode(country) ? country : null;
    const key = params.eventKey;
    const typed = key === 'Backspace' || key === 'Delete' ? '' : key !== null && key.length === 1 ? key : null;

    this.box.className = 'popup-editor place-editor';
    this.box.setAttribute('role', 'dialog');
    this.box.dataset.testid = 'place-editor';
    this.input.className = 'pick-filter';
    this.input.placeholder = 'Search places…';
    this.input.setAttribute('aria-label', `Search places for ${column.name}`);
    this.input.value = typed ?? this.current?.name ?? '';
    this.scopeBox.type = 'checkbox';
    this.scopeBox.checked = this.country !== null;
    this.scope.className = 'place-scope';
    this.scope.hidden = this.country === null;
    this.scope.append(this.scopeBox, ` only in ${this.country ?? ''}`);
    this.precisions.className = 'place-precisions';
    const hint = document.createElement('div');
    hint.className = 'editor-hint';
    // GeoNames' licence (CC BY 4.0) asks for its name wherever its data is shown.
    hint.textContent = 'Enter picks · 1–4 precision · Esc cancels · places: GeoNames, CC BY 4.0';
    this.box.append(this.input, this.scope, this.list.element, this.precisions, hint);

    this.precision = this.current && typed === null ? this.current.precision : null;
    if (this.current && typed === null) this.choices = [{ kind: 'current', place: this.current }];
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.scopeBox.addEventListener('change', () => this.search());
    this.precisions.addEventListener('mousedown', (e) => e.preventDefault());
    this.precisions.addEventListener('click', (e) => {
      const p = Number((e.target as HTMLElement).closest('button')?.dataset.precision);
      if (PLACE_PRECISIONS.includes(p as PlacePrecision)) this.setPrecision(p as PlacePrecision);
    });
    this.paint();
    if (this.input.value.trim() !== '') this.search();
  }

  private onKey(e: KeyboardEvent): void {
    if (keepCaretKey(e)) return;
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    if (/^[1-4]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      stop();
      this.setPrecision(Number(e.key) as PlacePrecision);
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        stop();
        if (this.list.move(e.key === 'ArrowDown' ? 1 : -1)) this.paint();
        break;
      case 'Enter':
      case 'Tab':
        // The list may answer an older query: then the pick waits for the answer to what was typed.
        if (this.answered !== this.query()) {
          stop();
          void this.search().then(() => {
            this.pick();
            this.params.stopEditing();
          });
          return;
        }
        // Pick, then let the key reach the grid: it commits (and Tab moves on).
        this.pick();
        break;
    }
  }

  private query(): string {
    return `${this.input.value.trim()}\n${this.scopeBox.checked ? this.country ?? '' : ''}`;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.search(), DEBOUNCE_MS);
  }

  /** Asks the gazetteer for what is typed; an answer to an older query than the last asked is dropped. */
  private async search(): Promise<void> {
    clearTimeout(this.timer);
    const text = this.input.value.trim();
    const query = this.query();
    const no = ++this.searchNo;
    if (text === '') {
      this.show(query, []);
      return;
    }
    this.list.element.classList.add('searching');
    try {
      const found = await searchPlaces(text, this.scopeBox.checked ? this.country ?? undefined : undefined);
      if (no === this.searchNo) this.show(query, found);
    } catch (err) {
      if (no !== this.searchNo) return;
      this.show(query, []);
      this.list.show([], item('empty', `The gazetteer did not answer: ${(err as Error).message}`));
    }
  }

  private show(query: string, found: PlaceMatch[]): void {
    this.answered = query;
    this.list.element.classList.remove('searching');
    const keep: Choice[] = this.current && this.input.value.trim() === this.current.name ? [{ kind: 'current', place: this.current }] : [];
    this.choices = [...keep, ...found.map((match): Choice => ({ kind: 'match', match }))];
    this.list.active = 0;
    this.paint();
  }

  private setPrecision(precision: PlacePrecision): void {
    this.precision = precision;
    this.paint();
  }

  /** The precision the highlighted choice would be stored with. */
  private precisionOf(choice: Choice | undefined): PlacePrecision {
    if (this.precision !== null) return this.precision;
    if (!choice) return 1;
    return choice.kind === 'current' ? choice.place.precision : KIND_PRECISION[choice.match.kind];
  }

  /** The highlighted choice as the cell's value; with nothing found, the typed name (marked until picked). */
  private pick(): void {
    const choice = this.choices[this.list.active];
    const precision = this.precisionOf(choice);
    const text = this.input.value.trim();
    if (choice?.kind === 'current') this.result = { ...choice.place, precision };
    else if (choice) {
      const m = choice.match;
      this.result = { name: m.name, country: m.country, lat: m.lat, lon: m.lon, precision, geonameid: m.geonameid };
    } else this.result = text === '' ? null : { ...namedPlace(text), precision };
  }

  private paint(): void {
    const items = this.choices.map((choice, index) => {
      const li = choice.kind === 'current'
        ? item('place-current', `Keep ${choice.place.name}`, [choice.place.country, choice.place.lat === null ? 'no coordinates' : null].filter(Boolean).join(' · '))
        : item('', choice.match.name, describe(choice.match), KIND_LABEL[choice.match.kind]);
      if (choice.kind === 'match' && choice.match.geonameid !== null) li.dataset.geonameid = String(choice.match.geonameid);
      li.setAttribute('aria-selected', String(index === this.list.active));
      return li;
    });
    const typed = this.input.value.trim();
    this.list.show(items, item('empty', typed === '' ? 'Type a place name' : this.answered === this.query()
      ? `Nothing found: Enter keeps “${typed}” without coordinates`
      : 'Searching…'));
    const chosen = this.precisionOf(this.choices[this.list.active]);
    this.precisions.replaceChildren(...PLACE_PRECISIONS.map((p) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.tabIndex = -1;
      b.dataset.precision = String(p);
      b.className = p === chosen ? 'active' : '';
      b.textContent = String(p);
      b.title = `${p}: ${PRECISION_LABELS[p]}`;
      return b;
    }), Object.assign(document.createElement('span'), { className: 'place-precision-label', textContent: PRECISION_LABELS[chosen] }));
  }
}

/** A gazetteer entry's second line: region, country, population. */
function describe(m: PlaceMatch): string {
  return [m.admin1, m.country, m.population ? `${m.population.toLocaleString('en')} people` : null].filter(Boolean).join(' · ');
}

function item(className: string, label: string, detail = '', kind = ''): HTMLLIElement {
  const li = document.createElement('li');
  li.className = className;
  const name = document.createElement('span');
  name.className = 'pick-label place-name';
  name.textContent = label;
  li.append(name);
  if (detail) li.append(Object.assign(document.createElement('span'), { className: 'place-detail', textContent: detail }));
  if (kind) li.append(Object.assign(document.createElement('span'), { className: 'place-kind', textContent: kind }));
  return li;
}
