import { describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import { autoMapping, duplicateTargets, unmatched } from './mapping';

const COLUMNS: Column[] = [
  { id: 'event_date', name: 'Date', type: 'date' },
  { id: 'actor1', name: 'Actor 1', type: 'text' },
];

describe('import mapping', () => {
  it('matches header cells by id or name ignoring case, keeps row_id, and ignores the export’s own columns', () => {
    expect(autoMapping(['\uFEFFrow_id', 'EVENT_DATE', 'actor 1', 'review_status', 'Mood'], COLUMNS))
      .toEqual(['row_id', 'event_date', 'actor1', '', '']);
  });

  it('names the header cells that match nothing', () => {
    expect(unmatched(['row_id', 'Mood', 'updated_by', ''], COLUMNS)).toEqual([1]);
  });

  it('maps a place column’s parts, as the CSV export writes them, to themselves', () => {
    const columns: Column[] = [...COLUMNS, { id: 'place', name: 'Place', type: 'place' }];
    const header = ['place', 'place_country', 'place_lat', 'place_lon', 'place_precision', 'place_geonameid', 'actor1_lat'];
    expect(autoMapping(header, columns)).toEqual(['place', 'place_country', 'place_lat', 'place_lon', 'place_precision', 'place_geonameid', '']);
    expect(unmatched(header, columns)).toEqual([6]);
  });

  it('maps a column once and reports a target chosen twice', () => {
    expect(autoMapping(['date', 'event_date'], COLUMNS)).toEqual(['event_date', '']);
    expect(duplicateTargets(['actor1', '', 'actor1', 'event_date'])).toEqual(['actor1']);
  });
});
