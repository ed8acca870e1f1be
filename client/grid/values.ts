/**
 * Cell values ↔ text, by column type: what an editor or a pasted block turns into, and what a copy
 * puts on the clipboard. Text that does not fit the type is kept as typed, so validation can mark it
 * rather than the value being lost.
 */
import { anchorLabel } from '../../model/anchors';
import { canonicalCode, normalizeDate, parseBoolean, parseNumber } from '../../model/cell-text';
import type { CellValue, Column } from '../../model/columns';
import { isPlace, namedPlace } from '../../model/places';

export { normalizeDate };

/** The text of a value as the user would type it (also the clipboard form). */
export function toText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : anchorLabel(v))).join('; ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  // A place by its name: what a spreadsheet shows and what pasting back gives (to be picked again).
  if (typeof value === 'object') return value.name;
  return String(value);
}

/** Parses typed or pasted text into the column's value type; '' is "no value". */
export function fromText(column: Column, text: string): CellValue {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  switch (column.type) {
    case 'text':
    case 'longtext':
      // Keep inner whitespace and line breaks; drop the trailing newline a spreadsheet adds.
      return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    case 'number': {
      const n = parseNumber(trimmed);
      return n === null ? trimmed : n;
    }
    case 'integer': {
      const n = parseNumber(trimmed);
      return n === null || !Number.isInteger(n) ? trimmed : n;
    }
    case 'boolean':
      return parseBoolean(trimmed) ?? trimmed;
    case 'date':
      return normalizeDate(trimmed);
    case 'enum':
      return canonicalCode(column, trimmed);
    case 'multi': {
      const codes = trimmed.split(/[;,\n]/).map((c) => canonicalCode(column, c.trim())).filter((c) => c !== '');
      return codes.length === 0 ? null : [...new Set(codes)];
    }
    case 'url':
    case 'ref':
    // Evidence is not typed: pasted text is kept as it is, and validation marks it.
    case 'evidence':
      return trimmed;
    // A place typed or pasted by name is marked until it is picked from the gazetteer; one as JSON is kept whole.
    case 'place':
      return placeFromText(trimmed);
  }
}

/** Makes any value the grid hands back (editor output, pasted text) a value for the column. */
export function toCellValue(column: Column, value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return fromText(column, value);
  if (Array.isArray(value)) {
    const codes = value.filter((v): v is string => typeof v === 'string' && v !== '');
    return codes.length === 0 ? null : codes;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (isPlace(value)) return value;
  return String(value);
}

function placeFromText(text: string): CellValue {
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isPlace(parsed)) return parsed;
    } catch {
      // Not JSON: a name that starts with a brace.
    }
  }
  return namedPlace(text);
}
