/**
 * Presence through Yjs awareness: each tab publishes `user: {name, color}` and the cell it is in,
 * `cell: {sheet, row, column}` (null when no cell is focused).
 */
import type { Awareness } from 'y-protocols/awareness';

export interface CellRef {
  sheet: string;
  row: string;
  column: string;
}

export interface PresenceUser {
  clientId: number;
  name: string;
  color: string;
  cell: CellRef | null;
  self: boolean;
}

/** Calm, distinguishable colours that keep white text readable. */
const PRESENCE_COLORS = [
  '#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#dc2626', '#0891b2', '#65a30d', '#c026d3', '#475569',
] as const;

/**
 * A presence colour as sent by another tab, if it is a plain `#rrggbb`. Anything else (which could
 * smuggle CSS into a style) is not used.
 */
export function safeColor(color: unknown): string | undefined {
  return typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : undefined;
}

/** A stable colour per user, so a person keeps their colour across tabs and days. */
export function colorFor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return PRESENCE_COLORS[Math.abs(hash) % PRESENCE_COLORS.length]!;
}

export class Presence {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly awareness: Awareness, private readonly user: { name: string; color: string }) {
    awareness.setLocalState({ user, cell: null });
    awareness.on('change', this.handleChange);
    this.avoidColorClash();
  }

  setCell(cell: CellRef | null): void {
    const current = this.awareness.getLocalState()?.cell as CellRef | null | undefined;
    if (sameCell(current ?? null, cell)) return;
    this.awareness.setLocalStateField('cell', cell);
  }

  /** Everyone here, this tab first, then by name. */
  users(): PresenceUser[] {
    const users: PresenceUser[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      const user = state.user as { name?: unknown; color?: unknown } | undefined;
      if (!user || typeof user.name !== 'string') continue;
      users.push({
        clientId,
        name: user.name,
        color: safeColor(user.color) ?? colorFor(user.name),
        cell: isCellRef(state.cell) ? state.cell : null,
        self: clientId === this.awareness.clientID,
      });
    }
    return users.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }

  /** Other people's tabs. */
  others(): PresenceUser[] {
    return this.users().filter((u) => !u.self);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.awareness.off('change', this.handleChange);
    this.awareness.setLocalState(null);
    this.listeners.clear();
  }

  private readonly handleChange = (): void => {
    this.avoidColorClash();
    for (const listener of this.listeners) listener();
  };

  /**
   * Two people whose ids hash to one colour would look alike: the one who came later (higher
   * client id) takes the first colour nobody earlier has. Earlier clients never yield, so it settles.
   */
  private avoidColorClash(): void {
    const mine = this.awareness.clientID;
    const taken = new Set(this.users()
      .filter((u) => !u.self && u.clientId < mine && u.name !== this.user.name)
      .map((u) => u.color));
    const wanted = taken.has(this.user.color) ? (PRESENCE_COLORS.find((c) => !taken.has(c)) ?? this.user.color) : this.user.color;
    const current = this.awareness.getLocalState()?.user as { color?: string } | undefined;
    if (current && current.color !== wanted) this.awareness.setLocalStateField('user', { ...this.user, color: wanted });
  }
}

function isCellRef(value: unknown): value is CellRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.sheet === 'string' && typeof v.row === 'string' && typeof v.column === 'string';
}

function sameCell(a: CellRef | null, b: CellRef | null): boolean {
  return a === b || (a !== null && b !== null && a.sheet === b.sheet && a.row === b.row && a.column === b.column);
}
