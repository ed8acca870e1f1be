/**
 * A dataset's progress at a glance: how much is approved, flagged and still to review per sheet, who
 * coded how much, rows coded per day, and the events on a timeline by their date. Drawn with
 * chart.js (only the parts used are registered), refreshed every few seconds while the tab is shown.
 */
import {
  BarController, BarElement, CategoryScale, Chart, type ChartConfiguration, Legend, LineController, LineElement,
  LinearScale, PointElement, ScatterController, Tooltip,
} from 'chart.js';
import { api } from '../api';
import type { User as Me, Progress } from '../../model/http';
import { datasetPath } from '../router';
import { dayRange, formatAxisDate, placeDate, timeAxisTicks } from '../review/dates';
import { STATUS_LABELS } from '../review/reasons';
import { h, replaceChildren } from '../ui/dom';
import { renderNotFound, topBar } from './layout';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, ScatterController, PointElement, LineController, LineElement, Tooltip, Legend);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font') || 'system-ui, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#6b7280';
Chart.defaults.borderColor = '#eceef3';

const STATUS_COLORS = { approved: '#22a05b', flagged: '#e29a2d', unreviewed: '#c9ced8' } as const;
const STATUSES = ['approved', 'flagged', 'unreviewed'] as const;
const SHEET_COLORS = ['#2f5bd3', '#93a8e8', '#0891b2', '#7c3aed', '#db2777', '#65a30d'];
const POINT_COLORS = { approved: '#22a05b', flagged: '#e29a2d', unreviewed: '#2f5bd3' } as const;
const REFRESH_MS = 10_000;
const NUMBER = new Intl.NumberFormat();

export async function renderProgress(app: HTMLElement, me: Me, datasetId: string): Promise<void> {
  document.title = 'Progress · Tessera';
  replaceChildren(app, topBar(me, [h('a', { href: '/' }, 'Datasets'), datasetId, 'Progress']), h('main', { class: 'loading' }, 'Counting…'));
  let name: string;
  let progress: Progress;
  let openFlags: number;
  try {
    const [dataset, numbers, flags] = await Promise.all([
      api.get('/api/datasets/{id}', { params: { id: datasetId } }),
      api.get('/api/datasets/{id}/progress', { params: { id: datasetId } }),
      openFlagCount(datasetId),
    ]);
    name = dataset.name;
    progress = numbers;
    openFlags = flags;
  } catch (err) {
    if ((err as { status?: number }).status === 404) renderNotFound(app, me, `There is no dataset “${datasetId}”.`);
    else replaceChildren(app, topBar(me, []), h('main', { class: 'page-error' }, `Could not load the progress: ${(err as Error).message}`));
    return;
  }
  document.title = `Progress · ${name} · Tessera`;
  const view = new ProgressView(datasetId);
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), h('a', { href: datasetPath(datasetId) }, name), 'Progress']),
    view.element,
  );
  view.show(progress, openFlags);
  view.keepFresh();
}

async function openFlagCount(datasetId: string): Promise<number> {
  return (await api.get('/api/datasets/{id}/flags', { params: { id: datasetId }, query: { status: 'open' } })).length;
}

class ProgressView {
  readonly element: HTMLElement;
  private readonly summary = h('section', { class: 'progress-summary', 'data-testid': 'progress-summary' });
  private readonly charts = new Map<string, Chart>();
  private readonly canvases = {
    status: h('canvas', { 'aria-label': 'Rows per review status, per sheet', role: 'img' }),
    coders: h('canvas', { 'aria-label': 'Rows per coder', role: 'img' }),
    days: h('canvas', { 'aria-label': 'Rows coded per day', role: 'img' }),
    timeline: h('canvas', { 'aria-label': 'Events on a timeline by date', role: 'img' }),
  };
  private readonly timelineSheet = h('select', { 'aria-label': 'Sheet on the timeline', class: 'small-select' });
  private readonly timelineNote = h('p', { class: 'hint' });
  private readonly updated = h('span', { class: 'muted small', 'data-testid': 'progress-updated' });
  private last = '';
  private data: Progress | null = null;

  constructor(private readonly datasetId: string) {
    const card = (title: string, hint: string, body: HTMLElement, ...extra: HTMLElement[]) =>
      h('section', { class: 'card chart-card' },
        h('div', { class: 'chart-head' }, h('div', {}, h('h2', {}, title), h('p', { class: 'muted small chart-hint' }, hint)), ...extra),
        h('div', { class: 'chart-box' }, body));
    this.timelineSheet.addEventListener('change', () => this.data && this.drawTimeline(this.data));
    this.element = h('main', { class: 'page wide progress-page', 'data-testid': 'progress' },
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, 'Progress'), this.updated),
        h('a', { class: 'button', href: datasetPath(datasetId) }, '← Back to the grid')),
      this.summary,
      h('div', { class: 'chart-grid' },
        card('Review status by sheet', 'Rows approved, flagged and not yet reviewed.', this.canvases.status),
        card('Rows by coder', 'Who created the rows, per sheet.', this.canvases.coders),
      ),
      card('Rows coded per day', 'New rows per day, and the running total.', this.canvases.days),
      h('section', { class: 'card chart-card timeline-card' },
        h('div', { class: 'chart-head' },
          h('div', {}, h('h2', {}, 'Timeline'), h('p', { class: 'muted small chart-hint' },
            'Each row at its date, by type and review status. Hollow points: only the month or year is known (placed at its start).')),
          this.timelineSheet),
        h('div', { class: 'chart-box tall' }, this.canvases.timeline),
        this.timelineNote),
    );
  }

  show(progress: Progress, openFlags: number): void {
    const key = JSON.stringify([progress, openFlags]);
    this.updated.textContent = `Updated ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
    if (key === this.last) return;
    this.last = key;
    this.data = progress;
    this.renderSummary(progress, openFlags);
    this.drawStatus(progress);
    this.drawCoders(progress);
    this.drawDays(progress);
    const sheets = [...new Set(progress.timeline.map((t) => t.sheet))];
    const current = this.timelineSheet.value;
    replaceChildren(this.timelineSheet, ...sheets.map((id) => h('option', { value: id }, progress.sheets.find((s) => s.id === id)?.name ?? id)));
    this.timelineSheet.value = sheets.includes(current) ? current : sheets[0] ?? '';
    this.timelineSheet.hidden = sheets.length < 2;
    this.drawTimeline(progress);
  }

  /** Polls while the page is shown; a hidden tab asks nothing. */
  keepFresh(): void {
    const tick = async () => {
      if (!this.element.isConnected) return;
      if (document.visibilityState === 'visible') {
        try {
          const [progress, open] = await Promise.all([
            api.get('/api/datasets/{id}/progress', { params: { id: this.datasetId } }),
            openFlagCount(this.datasetId),
          ]);
          this.show(progress, open);
        } catch {
          // Offline for a moment: the next tick tries again.
        }
      }
      setTimeout(tick, REFRESH_MS);
    };
    setTimeout(tick, REFRESH_MS);
  }

  private renderSummary(p: Progress, openFlags: number): void {
    const total = p.sheets.reduce((n, s) => n + s.rowCount, 0);
    const sum = (status: string) => p.sheets.reduce((n, s) => n + (s.statuses[status] ?? 0), 0);
    const counts = { approved: sum('approved'), flagged: sum('flagged'), unreviewed: sum('unreviewed') };
    const pct = (n: number) => (total === 0 ? 0 : Math.round((n / total) * 100));
    const coders = new Set(p.coders.map((c) => c.name)).size;
    const stat = (label: string, value: string, detail: string, kind = '') =>
      h('div', { class: `stat ${kind}`, 'data-stat': label.toLowerCase().replace(/\s+/g, '-') },
        h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-detail' }, detail));
    const bar = h('div', { class: 'status-bar', role: 'img', 'aria-label': `${pct(counts.approved)}% approved` },
      ...STATUSES.map((s) => {
        const seg = h('span', { class: `seg ${s}`, title: `${STATUS_LABELS[s]}: ${NUMBER.format(counts[s])}` });
        seg.style.flexGrow = String(counts[s]);
        return seg;
      }));
    replaceChildren(this.summary,
      h('div', { class: 'stats' },
        stat('Rows', NUMBER.format(total), `in ${p.sheets.length} sheet${p.sheets.length === 1 ? '' : 's'}, by ${coders} coder${coders === 1 ? '' : 's'}`),
        stat('Approved', `${pct(counts.approved)}%`, rows(counts.approved), 'approved'),
        stat('Flagged', NUMBER.format(counts.flagged), `${counts.flagged === 1 ? 'row' : 'rows'} · ${NUMBER.format(openFlags)} open flag${openFlags === 1 ? '' : 's'}`, 'flagged'),
        stat('To review', NUMBER.format(counts.unreviewed), `${counts.unreviewed === 1 ? 'row' : 'rows'} (${pct(counts.unreviewed)}%)`),
      ),
      bar,
      h('div', { class: 'legend' }, ...STATUSES.map((s) =>
        h('span', {}, h('i', { class: `dot ${s}` }), `${STATUS_LABELS[s]} ${NUMBER.format(counts[s])}`))),
    );
  }

  private drawStatus(p: Progress): void {
    this.upsert('status', this.canvases.status, {
      type: 'bar',
      data: {
        labels: p.sheets.map((s) => s.name),
        datasets: STATUSES.map((s) => ({
          label: STATUS_LABELS[s], data: p.sheets.map((sheet) => sheet.statuses[s] ?? 0),
          backgroundColor: STATUS_COLORS[s], borderRadius: 3, maxBarThickness: 34,
        })),
      },
      options: {
        indexAxis: 'y', maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { precision: 0 }, grid: { color: '#f1f2f5' } }, y: { stacked: true, grid: { display: false } } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, useBorderRadius: true, borderRadius: 2 } } },
      },
    });
  }

  private drawCoders(p: Progress): void {
    const names = [...new Set(p.coders.map((c) => c.name))];
    const totals = new Map(names.map((n) => [n, p.coders.filter((c) => c.name === n).reduce((a, c) => a + c.rows, 0)]));
    names.sort((a, b) => totals.get(b)! - totals.get(a)!);
    this.upsert('coders', this.canvases.coders, {
      type: 'bar',
      data: {
        labels: names,
        datasets: p.sheets.map((sheet, i) => ({
          label: sheet.name,
          data: names.map((n) => p.coders.find((c) => c.name === n && c.sheet === sheet.id)?.rows ?? 0),
          backgroundColor: SHEET_COLORS[i % SHEET_COLORS.length], borderRadius: 3, maxBarThickness: 28,
        })),
      },
      options: {
        indexAxis: 'y', maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { precision: 0 }, grid: { color: '#f1f2f5' } }, y: { stacked: true, grid: { display: false } } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, useBorderRadius: true, borderRadius: 2 } } },
      },
    });
  }

  private drawDays(p: Progress): void {
    const byDay = new Map(p.days.map((d) => [d.day, d.rows]));
    const first = p.days[0]?.day;
    const last = p.days[p.days.length - 1]?.day;
    // At least two weeks, so a single busy day reads as a day, not as the whole chart.
    const start = first && last ? earlier(first, last, 13) : undefined;
    const days = start && last ? dayRange(start, last, 120) : [];
    let running = p.days.filter((d) => days.length > 0 && d.day < days[0]!).reduce((n, d) => n + d.rows, 0);
    const cumulative = days.map((d) => (running += byDay.get(d) ?? 0));
    this.upsert('days', this.canvases.days, {
      type: 'bar',
      data: {
        labels: days.map((d) => formatAxisDate(Date.parse(d), 0).replace(/ \d{4}$/, '')),
        datasets: [
          { type: 'bar', label: 'Rows coded', data: days.map((d) => byDay.get(d) ?? 0), backgroundColor: '#2f5bd3', borderRadius: 3, maxBarThickness: 22, yAxisID: 'y', order: 2 },
          { type: 'line', label: 'Total', data: cumulative, borderColor: '#93a8e8', backgroundColor: '#93a8e8', pointRadius: 0, borderWidth: 2, tension: 0, yAxisID: 'total', order: 1 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#f1f2f5' }, title: { display: true, text: 'per day' } },
          total: { position: 'right', beginAtZero: true, ticks: { precision: 0 }, grid: { display: false }, title: { display: true, text: 'total' } },
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, useBorderRadius: true, borderRadius: 2 } } },
      },
    } as ChartConfiguration);
  }

  private drawTimeline(p: Progress): void {
    const sheet = this.timelineSheet.value;
    const rows = p.timeline.filter((t) => t.sheet === sheet);
    const placed = rows.map((r) => ({ row: r, at: placeDate(r.date) })).filter((x) => x.at !== null);
    const kinds = [...new Set(placed.map((x) => x.row.kind ?? '—'))].sort();
    const skipped = rows.length - placed.length;
    this.timelineNote.textContent = skipped > 0 ? `${skipped} row${skipped === 1 ? '' : 's'} with a date that is not YYYY, YYYY-MM or YYYY-MM-DD left out.` : '';
    // Rows at the same date and type sit side by side rather than on top of each other.
    const seen = new Map<string, number>();
    const points = placed.map(({ row, at }) => {
      const y = kinds.indexOf(row.kind ?? '—');
      const k = `${at!.time}:${y}`;
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      const offset = n === 0 ? 0 : (n % 2 === 1 ? 1 : -1) * Math.ceil(n / 2) * 0.16;
      return { x: at!.time, y: y + offset, row, precision: at!.precision };
    });
    const times = points.map((pt) => pt.x);
    const DAY = 86_400_000;
    const min = times.length ? Math.min(...times) - 3 * DAY : Date.now() - 30 * DAY;
    const max = times.length ? Math.max(...times) + 3 * DAY : Date.now();
    // Ticks at the starts of years, months or days, each labelled once; the labels are also on the canvas, for tools.
    const ticks = timeAxisTicks(min, max);
    const labels = new Map(ticks.map((t) => [t.value, t.label]));
    this.canvases.timeline.dataset.ticks = ticks.map((t) => t.label).join('|');
    this.upsert('timeline', this.canvases.timeline, {
      type: 'scatter',
      data: {
        datasets: STATUSES.map((status) => {
          const mine = points.filter((pt) => pt.row.status === status);
          return {
            label: STATUS_LABELS[status],
            data: mine.map((pt) => ({ x: pt.x, y: pt.y })),
            pointRadius: 6,
            pointHoverRadius: 8,
            borderWidth: 2,
            borderColor: POINT_COLORS[status],
            backgroundColor: mine.map((pt) => (pt.precision === 'day' ? POINT_COLORS[status] : '#ffffff')),
            // For the tooltip.
            rows: mine.map((pt) => pt.row),
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: {
            type: 'linear', min, max, grid: { color: '#f1f2f5' },
            afterBuildTicks: (axis) => { axis.ticks = ticks.map((t) => ({ value: t.value })); },
            ticks: { maxRotation: 0, autoSkip: false, callback: (v) => labels.get(Number(v)) ?? '' },
          },
          y: {
            type: 'linear', min: -0.7, max: Math.max(kinds.length - 0.3, 0.3), reverse: true,
            afterBuildTicks: (axis) => { axis.ticks = kinds.map((_, i) => ({ value: i })); },
            ticks: { callback: (v) => kinds[Number(v)] ?? '', autoSkip: false },
            grid: { color: '#f1f2f5' },
          },
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
          tooltip: {
            callbacks: {
              title: (items) => {
                const item = items[0];
                const row = item ? (item.dataset as unknown as { rows: Progress['timeline'] }).rows[item.dataIndex] : undefined;
                return row ? `${row.date} · ${row.kind ?? ''}` : '';
              },
              label: (item) => {
                const row = (item.dataset as unknown as { rows: Progress['timeline'] }).rows[item.dataIndex];
                return row ? `${(row.label ?? row.row).slice(0, 90)} (${row.status})` : '';
              },
            },
          },
        },
      },
    } as ChartConfiguration);
  }

  /** Draws a chart the first time, and changes its data in place afterwards (no flicker). */
  private upsert(key: string, canvas: HTMLCanvasElement, config: ChartConfiguration): void {
    const chart = this.charts.get(key);
    if (!chart) {
      this.charts.set(key, new Chart(canvas, config));
      return;
    }
    chart.data = config.data;
    chart.options = config.options ?? {};
    chart.update();
  }
}

const rows = (n: number) => `${NUMBER.format(n)} row${n === 1 ? '' : 's'}`;

/** The day `days` before `last`, or `first` if that is earlier. */
function earlier(first: string, last: string, days: number): string {
  const back = new Date(Date.parse(last) - days * 86_400_000).toISOString().slice(0, 10);
  return back < first ? back : first;
}
