/**
 * The sheet's map and timeline (docs/places.md#the-map-and-the-timeline), beside the grid: the rows the
 * grid shows (its filters and search) as points on country outlines shipped with Tessera, coloured by a
 * code column, clustered where dense, within a date range; and the same rows counted per week or month.
 * Both follow every change at once. A point opens its row in the grid.
 */
import type { AnyProps, ClusterFeature, ClusterProperties, PointFeature, default as Supercluster } from 'supercluster';
import type { Column } from '../../model/columns';
import { h, replaceChildren } from '../ui/dom';
import {
  type Bin, type MapColumns, type MapEvent, NO_CODE_COLOUR, RowEvents, codeColours, dateExtent, dayText, inRange, mapChange, mapColumns,
  project, timeline,
} from './points';
import type { MapSource } from './source';
import './map.css';

export interface MapPanelOptions {
  source: MapSource;
  /** Shows a row in the grid. */
  goToRow(rowId: string): void;
  onClose(): void;
}

const SVG = 'http://www.w3.org/2000/svg';
function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const HEIGHT = 300;
const TILE = 256;
const MAX_ZOOM = 16;
const NUMBER = new Intl.NumberFormat();
const plural = (n: number, one: string, many = `${one}s`) => `${NUMBER.format(n)} ${n === 1 ? one : many}`;

interface PointProps { id: string; code: string; name: string }
type Feature = ClusterFeature<AnyProps> | PointFeature<PointProps>;

/** The colour column chosen per sheet, kept for the session. */
const chosenColour = new Map<string, string>();

export class MapPanel {
  readonly element: HTMLElement;
  private readonly colour = h('select', { 'aria-label': 'Colour by', 'data-testid': 'map-colour' });
  private readonly bin = h('select', { 'aria-label': 'Timeline per', 'data-testid': 'timeline-bin' },
    h('option', { value: 'week' }, 'per week'), h('option', { value: 'month', selected: true }, 'per month'));
  private readonly svg = s('svg', { class: 'map-svg', 'data-testid': 'map', role: 'img', 'aria-label': 'Map of the rows shown' });
  private readonly land = s('g', { class: 'map-land' });
  private readonly marks = s('g', { class: 'map-marks' });
  private readonly legend = h('div', { class: 'map-legend', 'data-testid': 'map-legend' });
  private readonly summary = h('p', { class: 'muted small', 'data-testid': 'map-summary', role: 'status' });
  private readonly here = h('div', { class: 'map-here', 'data-testid': 'map-here' });
  private readonly fromInput = h('input', { type: 'range', 'aria-label': 'From', 'data-testid': 'map-from' });
  private readonly toInput = h('input', { type: 'range', 'aria-label': 'To', 'data-testid': 'map-to' });
  private readonly rangeText = h('span', { class: 'map-range-text', 'data-testid': 'map-range' });
  private readonly timelineHost = h('div', { class: 'timeline', 'data-testid': 'timeline' });
  private readonly off: () => void;
  private destroyed = false;
  private frame = 0;
  private rangeFrame = 0;

  private columns: MapColumns = { place: undefined, date: undefined, codes: [] };
  private events: MapEvent[] = [];
  private extent: { from: number; to: number } | null = null;
  /** The range chosen; null while it is the whole extent (then it grows with the data). */
  private range: { from: number; to: number } | null = null;
  private index: Supercluster<PointProps> | null = null;
  /** Each clustered point's properties, by row: a code or name changed is changed there, without clustering again. */
  private pointProps = new Map<string, PointProps>();
  /** Each row's event, read again only when the row changed. */
  private readonly rowEvents = new RowEvents();
  private colours = new Map<string, string>();
  private Supercluster: typeof Supercluster | null = null;
  /** The view: the world square's centre on screen (world coordinates) and its size in pixels. */
  private view = { x: 0.5, y: 0.5, k: TILE };
  /** Until the user moves the map, it keeps every point in view as rows come and go. */
  private moved = false;
  /** What the last drawing was of besides the events (the row count, the colour column and its codes): the same again draws nothing. */
  private drawn: string | null = null;

  constructor(private readonly options: MapPanelOptions, private readonly sheetKey: string) {
    this.colour.addEventListener('change', () => {
      chosenColour.set(this.sheetKey, this.colour.value);
      this.refresh();
    });
    this.bin.addEventListener('change', () => this.drawTimeline());
    const onRange = () => {
      if (!this.extent) return;
      let from = Number(this.fromInput.value);
      let to = Number(this.toInput.value);
      if (from > to) [from, to] = [to, from];
      this.range = from === this.extent.from && to === this.extent.to ? null : { from, to };
      // A slider sends a value per pixel dragged: drawn once a frame.
      if (this.rangeFrame === 0) {
        this.rangeFrame = requestAnimationFrame(() => {
          this.rangeFrame = 0;
          if (!this.destroyed) this.drawAll();
        });
      }
    };
    this.fromInput.addEventListener('input', onRange);
    this.toInput.addEventListener('input', onRange);
    this.svg.append(s('rect', { class: 'map-sea', x: 0, y: 0, width: '100%', height: '100%' }), this.land, this.marks);
    this.listenViewGestures();
    this.element = h('section', { class: 'panel map-panel', 'aria-label': 'Map and timeline' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Map'),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: options.onClose }, '×')),
      h('div', { class: 'panel-body' },
        h('div', { class: 'map-bar' }, h('label', {}, 'Colour by ', this.colour)),
        h('div', { class: 'map-frame' }, this.svg,
          h('div', { class: 'map-zoom' },
            h('button', { type: 'button', class: 'button icon', title: 'Zoom in', 'data-testid': 'map-zoom-in', onclick: () => this.zoomBy(2, undefined, true) }, '+'),
            h('button', { type: 'button', class: 'button icon', title: 'Zoom out', 'data-testid': 'map-zoom-out', onclick: () => this.zoomBy(0.5, undefined, true) }, '−'),
            h('button', { type: 'button', class: 'button icon', title: 'Show every point', 'data-testid': 'map-fit', onclick: () => { this.moved = false; this.fit(); this.drawMap(); } }, '⤢'))),
        this.legend,
        this.here,
        h('div', { class: 'map-range' }, h('span', { class: 'muted small' }, 'Dates'), this.fromInput, this.toInput, this.rangeText),
        this.summary,
        h('div', { class: 'map-bar' }, h('h3', {}, 'Events '), this.bin),
        this.timelineHost,
        h('p', { class: 'muted small map-credit' }, 'Country outlines: Natural Earth (public domain).'),
      ),
    );
    this.off = options.source.subscribe(() => this.refresh());
    void this.load();
  }

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.rangeFrame);
    this.off();
  }

  /** The outlines and the clustering come with the map, not with the sheet. */
  private async load(): Promise<void> {
    const [{ countryOutlines, OUTLINE_SCALE }, cluster] = await Promise.all([import('./world'), import('supercluster')]);
    if (this.destroyed) return;
    this.Supercluster = cluster.default;
    this.land.append(s('path', { d: countryOutlines(), 'data-scale': OUTLINE_SCALE }));
    // Rows read before the clustering arrived were not clustered: everything is drawn now.
    this.drawn = null;
    this.update();
  }

  /** Reads the rows again, at most once a frame. */
  private refresh(): void {
    if (this.frame !== 0 || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.destroyed) this.update();
    });
  }

  private update(): void {
    const source = this.options.source;
    const columns = source.columns();
    this.columns = mapColumns(columns);
    this.fillColourChoice(this.columns.codes);
    const codeColumn = this.colour.value === '' ? null : this.colour.value;
    // Rows read for another colour column would draw every point uncoded: drawn once the source has read them again.
    if (source.setColour?.(codeColumn)) return;
    const events = this.rowEvents.events(source.rows(), this.columns, codeColumn);
    // Most edits change nothing the map shows (a summary, an actor): then nothing is drawn again. A code or
    // a name changed is changed on its point; only points added, removed or moved, or dates, cluster again.
    const context = `${source.total()}\n${codeColumn}\n${this.columns.codes.find((c) => c.id === codeColumn)?.options?.join('\u0001') ?? ''}`;
    const change = this.drawn === context ? mapChange(this.events, events) : { kind: 'all' as const, changed: [] };
    this.events = events;
    if (change.kind === 'none') return;
    if (change.kind === 'points' && this.index) {
      this.changePoints(change.changed);
      return;
    }
    this.drawn = context;
    this.colours = codeColours(this.columns.codes.find((c) => c.id === codeColumn), this.events);
    const extent = dateExtent(this.events);
    this.extent = extent;
    if (this.range && extent) {
      const from = Math.max(extent.from, Math.min(this.range.from, extent.to));
      const to = Math.min(extent.to, Math.max(this.range.to, extent.from));
      this.range = from === extent.from && to === extent.to ? null : { from, to };
    } else {
      this.range = null;
    }
    for (const input of [this.fromInput, this.toInput]) {
      input.disabled = extent === null;
      input.min = String(extent?.from ?? 0);
      input.max = String(extent?.to ?? 0);
    }
    this.fromInput.value = String(this.range?.from ?? extent?.from ?? 0);
    this.toInput.value = String(this.range?.to ?? extent?.to ?? 0);
    if (!this.moved) this.fit();
    this.drawAll();
  }

  private fillColourChoice(codes: readonly Column[]): void {
    const chosen = chosenColour.get(this.sheetKey);
    const value = chosen !== undefined && (chosen === '' || codes.some((c) => c.id === chosen)) ? chosen
      : codes.find((c) => c.id === 'event_type')?.id ?? codes[0]?.id ?? '';
    const options = [['', 'nothing'], ...codes.map((c) => [c.id, c.name])] as const;
    const same = this.colour.options.length === options.length && options.every(([id], i) => this.colour.options[i]!.value === id);
    if (!same) replaceChildren(this.colour, ...options.map(([id, name]) => h('option', { value: id }, name)));
    this.colour.value = value;
  }

  /** The events within the date range. */
  private shown(): MapEvent[] {
    const range = this.range ?? this.extent;
    if (!range) return this.events;
    return this.events.filter((e) => inRange(e, range, this.range === null));
  }

  /** Points whose code or name changed: changed where the clustering keeps them, the legend and the map drawn again. */
  private changePoints(changed: readonly MapEvent[]): void {
    for (const e of changed) {
      const props = this.pointProps.get(e.id);
      if (!props) continue;
      props.code = e.code;
      props.name = e.name;
    }
    const codeColumn = this.colour.value === '' ? null : this.colour.value;
    this.colours = codeColours(this.columns.codes.find((c) => c.id === codeColumn), this.events);
    this.drawLegend(this.shown().filter((e) => e.lat !== null && e.lon !== null));
    this.drawMap();
  }

  private drawAll(): void {
    const shown = this.shown();
    const placed = shown.filter((e) => e.lat !== null && e.lon !== null);
    if (this.Supercluster) {
      const index = new this.Supercluster<PointProps>({ radius: 36, maxZoom: MAX_ZOOM, minPoints: 3 });
      this.pointProps = new Map();
      index.load(placed.map((e) => {
        const properties = { id: e.id, code: e.code, name: e.name };
        this.pointProps.set(e.id, properties);
        return { type: 'Feature', geometry: { type: 'Point', coordinates: [e.lon!, e.lat!] }, properties };
      }));
      this.index = index;
    }
    const range = this.range ?? this.extent;
    this.rangeText.textContent = range ? `${dayText(range.from)} – ${dayText(range.to)}` : 'no dates';
    const total = this.options.source.total();
    const unplaced = shown.length - placed.length;
    this.summary.textContent = `${plural(placed.length, 'row')} on the map`
      + (unplaced > 0 ? `, ${plural(unplaced, 'row')} without coordinates` : '')
      + (shown.length < total ? ` (of ${NUMBER.format(total)} in the sheet)` : '') + '.';
    this.drawLegend(placed);
    this.drawMap();
    this.drawTimeline();
  }

  private drawLegend(placed: readonly MapEvent[]): void {
    if (this.colour.value === '') {
      replaceChildren(this.legend);
      return;
    }
    const counts = new Map<string, number>();
    for (const e of placed) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    const entries = [...this.colours].filter(([code]) => counts.has(code));
    if (counts.has('')) entries.push(['', NO_CODE_COLOUR]);
    replaceChildren(this.legend, ...entries.map(([code, colour]) => h('span', { class: 'map-key', 'data-code': code },
      h('span', { class: 'map-swatch', style: `background:${colour}` }), `${code || 'empty'} ${NUMBER.format(counts.get(code) ?? 0)}`)));
  }

  // ——— the map ———

  private size(): { w: number; h: number } {
    return { w: this.svg.clientWidth || 520, h: this.svg.clientHeight || HEIGHT };
  }

  /** Shows every point on the map (the whole world when there are none). */
  private fit(): void {
    const { w, h: height } = this.size();
    const placed = this.events.filter((e) => e.lat !== null && e.lon !== null);
    if (placed.length === 0) {
      this.view = { x: 0.5, y: 0.5, k: Math.max(w, height) };
      return;
    }
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
    for (const e of placed) {
      const [x, y] = project(e.lon!, e.lat!);
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
    const span = Math.max(maxX - minX, (maxY - minY) * (w / height), 0.004);
    const k = Math.min(TILE * 2 ** MAX_ZOOM, Math.max(w, (w * 0.7) / span));
    this.view = { x: (minX + maxX) / 2, y: (minY + maxY) / 2, k };
  }

  private zoomBy(factor: number, at?: { x: number; y: number }, moved = true): void {
    this.moved ||= moved;
    const { w, h: height } = this.size();
    const k = Math.min(TILE * 2 ** MAX_ZOOM, Math.max(w / 2, this.view.k * factor));
    const px = at?.x ?? w / 2;
    const py = at?.y ?? height / 2;
    // The world point under the pointer stays under it.
    const wx = this.view.x + (px - w / 2) / this.view.k;
    const wy = this.view.y + (py - height / 2) / this.view.k;
    this.view = { k, x: wx - (px - w / 2) / k, y: wy - (py - height / 2) / k };
    this.drawMap();
  }

  private listenViewGestures(): void {
    this.svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const box = this.svg.getBoundingClientRect();
      this.zoomBy(e.deltaY < 0 ? 1.5 : 1 / 1.5, { x: e.clientX - box.left, y: e.clientY - box.top }, true);
    }, { passive: false });
    let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | null = null;
    this.svg.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y, moved: false };
    });
    this.svg.addEventListener('pointermove', (e) => {
      if (!drag || (e.buttons & 1) === 0) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) this.svg.setPointerCapture(e.pointerId);
      drag.moved = true;
      this.moved = true;
      this.view = { ...this.view, x: drag.vx - dx / this.view.k, y: drag.vy - dy / this.view.k };
      this.drawMap();
    });
    this.svg.addEventListener('pointerup', () => {
      // A drag is no click on the point it ends on.
      if (drag?.moved) this.svg.addEventListener('click', (e) => e.stopPropagation(), { capture: true, once: true });
      drag = null;
    });
  }

  private drawMap(): void {
    const { w, h: height } = this.size();
    const { x, y, k } = this.view;
    const tx = w / 2 - x * k;
    const ty = height / 2 - y * k;
    const path = this.land.firstElementChild;
    const scale = Number(path?.getAttribute('data-scale') ?? 1000);
    this.land.setAttribute('transform', `translate(${tx} ${ty}) scale(${k / scale})`);
    if (!this.index) return;
    const west = (x - w / 2 / k - 0.5) * 360;
    const east = (x + w / 2 / k - 0.5) * 360;
    const lat = (wy: number) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * wy))) * 180) / Math.PI;
    const bbox: [number, number, number, number] = [
      Math.max(-180, west), Math.max(-85, lat(y + height / 2 / k)), Math.min(180, east), Math.min(85, lat(y - height / 2 / k)),
    ];
    const zoom = Math.max(0, Math.min(MAX_ZOOM + 1, Math.floor(Math.log2(k / TILE))));
    const features = (bbox[0] < bbox[2] ? this.index.getClusters(bbox, zoom) : []) as Feature[];
    const marks: SVGElement[] = [];
    for (const f of features) {
      const [lon, latitude] = f.geometry.coordinates as [number, number];
      const [px, py] = project(lon, latitude);
      const cx = (px * k + tx).toFixed(1);
      const cy = (py * k + ty).toFixed(1);
      const props = f.properties as ClusterProperties | PointProps;
      if ('cluster' in props && props.cluster) {
        const count = props.point_count;
        const r = Math.min(24, 9 + Math.log2(count) * 2.5);
        const clusterId = props.cluster_id;
        const g = s('g', { class: 'map-cluster', 'data-testid': 'map-cluster', 'data-count': count, tabindex: 0, role: 'button' },
          s('title', {}, `${plural(count, 'row')}: click to zoom in`),
          s('circle', { cx, cy, r }),
          s('text', { x: cx, y: cy, dy: '0.35em' }, count >= 1000 ? `${Math.round(count / 100) / 10}k` : String(count)));
        g.addEventListener('click', () => this.openCluster(clusterId, lon, latitude));
        marks.push(g);
      } else {
        const p = props as PointProps;
        const colour = this.colour.value === '' ? this.colours.get('') ?? '#2f5bd3' : p.code === '' ? NO_CODE_COLOUR : this.colours.get(p.code) ?? NO_CODE_COLOUR;
        const circle = s('circle', {
          class: 'map-point', 'data-testid': 'map-point', 'data-row': p.id, 'data-code': p.code, cx, cy, r: 6, fill: colour,
          tabindex: 0, role: 'button',
        }, s('title', {}, `${p.name}${p.code ? ` · ${p.code}` : ''}: show the row`));
        circle.addEventListener('click', () => this.options.goToRow(p.id));
        circle.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.options.goToRow(p.id); });
        marks.push(circle);
      }
    }
    replaceChildren(this.marks as unknown as Element, ...marks);
  }

  /** Zooms into a cluster; one whose rows share a spot (they never part) lists them instead. */
  private openCluster(clusterId: number, lon: number, lat: number): void {
    if (!this.index) return;
    const zoom = this.index.getClusterExpansionZoom(clusterId);
    if (zoom <= MAX_ZOOM) {
      const [x, y] = project(lon, lat);
      this.moved = true;
      this.view = { x, y, k: TILE * 2 ** zoom * 1.01 };
      replaceChildren(this.here);
      this.drawMap();
      return;
    }
    const leaves = this.index.getLeaves(clusterId, Infinity) as Array<PointFeature<PointProps>>;
    replaceChildren(this.here,
      h('p', { class: 'small' }, `${plural(leaves.length, 'row')} at ${leaves[0]?.properties.name ?? 'one place'}:`),
      h('ul', {}, ...leaves.map((leaf) => h('li', {}, h('button', {
        type: 'button', class: 'link-button small', 'data-row': leaf.properties.id, onclick: () => this.options.goToRow(leaf.properties.id),
      }, `Row …${leaf.properties.id.slice(-6)}${leaf.properties.code ? ` · ${leaf.properties.code}` : ''}`)))));
  }

  // ——— the timeline ———

  private drawTimeline(): void {
    const bin = this.bin.value as Bin;
    const line = timeline(this.events, bin);
    const range = this.range;
    const { bins } = line;
    if (bins.length === 0) {
      replaceChildren(this.timelineHost, h('p', { class: 'muted small' }, 'No dated rows.'));
      return;
    }
    const width = 520;
    const height = 90;
    const max = Math.max(1, ...bins.map((b) => b.count));
    const barW = width / bins.length;
    const svg = s('svg', { class: 'timeline-svg', viewBox: `0 0 ${width} ${height + 16}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `Events ${bin === 'week' ? 'per week' : 'per month'}` });
    bins.forEach((b, i) => {
      const barH = (b.count / max) * height;
      const end = i + 1 < bins.length ? bins[i + 1]!.start - 1 : b.start + (bin === 'week' ? 6 : 27);
      const inside = range === null || (end >= range.from && b.start <= range.to);
      const bar = s('rect', {
        class: inside ? 'timeline-bar' : 'timeline-bar outside', 'data-testid': 'timeline-bar', 'data-start': dayText(b.start), 'data-count': b.count,
        x: (i * barW + 0.5).toFixed(2), y: (height - barH).toFixed(2), width: Math.max(0.5, barW - 1).toFixed(2), height: barH.toFixed(2),
      }, s('title', {}, `${bin === 'week' ? 'Week of ' : ''}${dayText(b.start).slice(0, bin === 'week' ? 10 : 7)}: ${plural(b.count, 'event')}`));
      // A bar picks its week or month as the map's date range.
      bar.addEventListener('click', () => this.pickRange(b.start, end));
      svg.append(bar);
    });
    svg.append(
      s('text', { x: 0, y: height + 13, class: 'timeline-label' }, dayText(bins[0]!.start).slice(0, 7)),
      s('text', { x: width, y: height + 13, class: 'timeline-label', 'text-anchor': 'end' }, dayText(bins[bins.length - 1]!.start).slice(0, 7)));
    const notes = [
      line.coarser > 0 ? `${plural(line.coarser, 'row')} dated only to the ${bin === 'week' ? 'month or year' : 'year'}` : '',
      line.undated > 0 ? `${plural(line.undated, 'row')} without a date` : '',
    ].filter(Boolean);
    replaceChildren(this.timelineHost, svg, notes.length > 0 ? h('p', { class: 'muted small', 'data-testid': 'timeline-notes' }, `Not counted: ${notes.join(', ')}.`) : null);
  }

  private pickRange(from: number, to: number): void {
    if (!this.extent) return;
    const f = Math.max(this.extent.from, from);
    const t = Math.min(this.extent.to, to);
    this.range = f === this.extent.from && t === this.extent.to ? null : { from: f, to: t };
    this.fromInput.value = String(f);
    this.toInput.value = String(t);
    this.drawAll();
  }
}
