/**
 * Which columns of a sheet duplicate detection compares rows by (docs/actors-and-duplicates.md#duplicates):
 * its date, its event type, its actors, its place and its evidence. The events-statements template's
 * columns by id first; otherwise the first column of the kind.
 */
import type { Column } from '../../model/columns';

export interface DuplicateColumns {
  date: string;
  type?: string;
  /** Columns that name actors: those naming an actor list, else `actor1` / `actor2`. */
  actors: string[];
  /** A `place` column (coordinates), and a text column of place names (`location`). */
  place?: string;
  location?: string;
  evidence?: string;
}

/** The columns to compare a sheet's rows by, or null when it has no date column (no duplicates without one). */
export function duplicateColumns(columns: readonly Column[]): DuplicateColumns | null {
  const byId = (id: string, ...types: Column['type'][]) => columns.find((c) => c.id === id && types.includes(c.type));
  const date = byId('event_date', 'date') ?? columns.find((c) => c.type === 'date');
  if (!date) return null;
  const named = columns.filter((c) => c.type === 'text' && c.actors !== undefined);
  const actors = named.length > 0 ? named : columns.filter((c) => (c.id === 'actor1' || c.id === 'actor2') && c.type === 'text');
  const found: DuplicateColumns = { date: date.id, actors: actors.map((c) => c.id) };
  const type = byId('event_type', 'enum', 'text');
  if (type) found.type = type.id;
  const place = columns.find((c) => c.type === 'place');
  if (place) found.place = place.id;
  const location = byId('location', 'text');
  if (location) found.location = location.id;
  const evidence = columns.find((c) => c.type === 'evidence');
  if (evidence) found.evidence = evidence.id;
  return found;
}
