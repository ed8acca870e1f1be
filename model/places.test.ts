import { describe, expect, it } from 'vitest';
import { type Column, isCellValue, sameCellValue, validateCell } from './columns';
import { isPlace, namedPlace, type Place, placeColumnIds, placeFields, placePartOf } from './places';

const SEOUL: Place = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1, geonameid: 1835848 };
const column: Column = { id: 'place', name: 'Place', type: 'place' };
const codes = (value: unknown) => validateCell(column, value).map((p) => p.code);

describe('a place value', () => {
  it('is an object of exactly name, country, lat, lon, precision 1–4 and geonameid', () => {
    expect(isPlace(SEOUL)).toBe(true);
    expect(isPlace({ ...SEOUL, country: null, lat: null, lon: null, geonameid: null, precision: 4 })).toBe(true);
    const { geonameid: _, ...missing } = SEOUL;
    expect(isPlace(missing)).toBe(false);
    expect(isPlace({ ...SEOUL, admin1: 'Seoul' })).toBe(false);
    expect(isPlace({ ...SEOUL, precision: 5 })).toBe(false);
    expect(isPlace({ ...SEOUL, precision: '1' })).toBe(false);
    expect(isPlace({ ...SEOUL, lat: '37.566' })).toBe(false);
    expect(isPlace({ ...SEOUL, lat: Number.NaN })).toBe(false);
    expect(isPlace({ ...SEOUL, geonameid: 1.5 })).toBe(false);
    expect(isPlace('Seoul')).toBe(false);
  });

  it('is a value a cell may hold, and the same value whatever the order of its keys', () => {
    expect(isCellValue(SEOUL)).toBe(true);
    expect(isCellValue({ ...SEOUL, precision: 0 })).toBe(false);
    const reordered = { geonameid: 1835848, precision: 1, lon: 126.9784, lat: 37.566, country: 'KOR', name: 'Seoul' };
    expect(sameCellValue(SEOUL, reordered)).toBe(true);
    expect(sameCellValue(SEOUL, { ...SEOUL, lat: 37.5 })).toBe(false);
    expect(sameCellValue(SEOUL, { ...SEOUL, geonameid: null })).toBe(false);
  });
});

describe('the place problem', () => {
  it('passes a place picked from the gazetteer, and a region or country without coordinates', () => {
    expect(codes(SEOUL)).toEqual([]);
    expect(codes({ ...SEOUL, name: 'Gyeonggi-do', lat: null, lon: null, precision: 3, geonameid: null })).toEqual([]);
    expect(codes({ ...SEOUL, name: 'South Korea', lat: null, lon: null, precision: 4, geonameid: null })).toEqual([]);
    expect(codes({ ...SEOUL, country: null })).toEqual([]);
  });

  it('marks coordinates off the globe, and only one of the two', () => {
    expect(codes({ ...SEOUL, lat: 90.5 })).toEqual(['place']);
    expect(codes({ ...SEOUL, lat: -91 })).toEqual(['place']);
    expect(codes({ ...SEOUL, lon: 180.01 })).toEqual(['place']);
    expect(codes({ ...SEOUL, lon: -200 })).toEqual(['place']);
    expect(codes({ ...SEOUL, lat: 90, lon: -180 })).toEqual([]);
    expect(codes({ ...SEOUL, lon: null, precision: 3 })).toEqual(['place']);
  });

  it('marks a country that is no ISO 3166-1 alpha-3 code', () => {
    expect(codes({ ...SEOUL, country: 'KR' })).toEqual(['place']);
    expect(codes({ ...SEOUL, country: 'kor' })).toEqual(['place']);
    expect(codes({ ...SEOUL, country: 'XYZ' })).toEqual(['place']);
    expect(codes({ ...SEOUL, country: 'PRK' })).toEqual([]);
  });

  it('marks a town or a place near one (precision 1–2) without coordinates', () => {
    for (const precision of [1, 2] as const) {
      const problems = validateCell(column, { ...SEOUL, lat: null, lon: null, precision });
      expect(problems.map((p) => p.code)).toEqual(['place']);
      expect(problems[0]!.message).toMatch(/^Place: precision \d .*needs coordinates/);
    }
    expect(codes(namedPlace('Rio'))).toEqual(['place']);
  });

  it('marks what is not a place as a wrong type, and an empty required place as required', () => {
    expect(codes('Seoul')).toEqual(['type']);
    expect(codes({ name: 'Seoul' })).toEqual(['type']);
    expect(validateCell({ ...column, required: true }, null).map((p) => p.code)).toEqual(['required']);
  });
});

describe('a place in a CSV export', () => {
  it('is the name and five more columns, read back by their ids', () => {
    expect(placeColumnIds('place')).toEqual(['place', 'place_country', 'place_lat', 'place_lon', 'place_precision', 'place_geonameid']);
    expect(placeFields(SEOUL)).toEqual(['Seoul', 'KOR', 37.566, 126.9784, 1, 1835848]);
    expect(placePartOf('place_lat', ['place'])).toEqual({ column: 'place', part: 'lat' });
    expect(placePartOf('origin_place_geonameid', ['place', 'origin_place'])).toEqual({ column: 'origin_place', part: 'geonameid' });
    expect(placePartOf('place_name', ['place'])).toBeNull();
    expect(placePartOf('country', ['place'])).toBeNull();
  });
});
