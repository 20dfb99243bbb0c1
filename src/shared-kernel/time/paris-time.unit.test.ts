import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addParisDays,
  fromParisLocal,
  parisDayBounds,
  parisLocalDate,
  parisLocalTime,
  parseLocalDate,
  parseLocalTime,
  startOfParisDay,
  utcOffsetMinutes,
  type LocalDate,
} from './paris-time.ts';

const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const day = (s: string): LocalDate => {
  const r = parseLocalDate(s);
  if (!r.ok) throw r.error;
  return r.value;
};
const local = (date: string, time: string): string => {
  const r = fromParisLocal(date, time);
  if (!r.ok) throw r.error;
  return r.value.toISOString();
};

// Instants at whole minutes, 2000–2040 (the DST rules in force since 1996 apply throughout).
const wholeMinute = fc
  .integer({ min: Date.UTC(2000, 0, 1) / 60_000, max: Date.UTC(2040, 0, 1) / 60_000 })
  .map((m) => new Date(m * 60_000));
/** True during the repeated hour of a fall-back night (local 02:00–02:59 with the winter offset). */
const inSecondOccurrence = (d: Date): boolean =>
  utcOffsetMinutes(d) === 60 && utcOffsetMinutes(new Date(d.getTime() - HOUR)) === 120;

describe('local date and time parsing', () => {
  it('accepts valid calendar dates and times only', () => {
    expect(parseLocalDate('2028-02-29').ok).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-1', '26-01-01', '0026-01-01', 20260101]) {
      const r = parseLocalDate(bad);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('InvalidLocalDate');
    }
    expect(parseLocalTime('23:59').ok).toBe(true);
    for (const bad of ['24:00', '9:00', '09:60', '09:00:00', 900]) {
      const r = parseLocalTime(bad);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('InvalidLocalTime');
    }
    const viaFrom = fromParisLocal('2026-02-30', '10:00');
    expect(!viaFrom.ok && viaFrom.error.code).toBe('InvalidLocalDate');
  });
});

describe('Paris wall clock', () => {
  it('reads date, time and offset in winter and summer', () => {
    expect(parisLocalDate(at('2026-01-15T23:30:00Z'))).toBe('2026-01-16');
    expect(parisLocalTime(at('2026-01-15T23:30:59Z'))).toBe('00:30');
    expect(utcOffsetMinutes(at('2026-01-15T12:00:00Z'))).toBe(60);
    expect(parisLocalTime(at('2026-07-14T08:00:00Z'))).toBe('10:00');
    expect(utcOffsetMinutes(at('2026-07-14T12:00:00Z'))).toBe(120);
  });

  it('converts an ordinary local time', () => {
    expect(local('2026-01-15', '09:00')).toBe('2026-01-15T08:00:00.000Z');
    expect(local('2026-07-14', '09:00')).toBe('2026-07-14T07:00:00.000Z');
  });

  it('refuses a local time inside the spring-forward gap', () => {
    for (const time of ['02:00', '02:30', '02:59']) {
      const r = fromParisLocal('2026-03-29', time);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('NonexistentLocalTime');
        expect(r.error.kind).toBe('validation');
      }
    }
    expect(local('2026-03-29', '01:59')).toBe('2026-03-29T00:59:00.000Z');
    expect(local('2026-03-29', '03:00')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('resolves an ambiguous fall-back time to its first (summer-time) occurrence', () => {
    expect(local('2026-10-25', '02:30')).toBe('2026-10-25T00:30:00.000Z'); // 02:30+02:00, not 01:30Z (+01:00)
    expect(local('2026-10-25', '01:59')).toBe('2026-10-24T23:59:00.000Z');
    expect(local('2026-10-25', '03:00')).toBe('2026-10-25T02:00:00.000Z');
    // both instants do read 02:30 in Paris
    expect(parisLocalTime(at('2026-10-25T00:30:00Z'))).toBe('02:30');
    expect(parisLocalTime(at('2026-10-25T01:30:00Z'))).toBe('02:30');
  });

  it('round-trips every whole-minute instant outside the repeated hour', () => {
    fc.assert(
      fc.property(wholeMinute, (d) => {
        fc.pre(!inSecondOccurrence(d));
        const back = fromParisLocal(parisLocalDate(d), parisLocalTime(d));
        expect(back.ok && back.value.getTime()).toBe(d.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('maps an instant in the repeated hour back to the first occurrence, one hour earlier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2039 }), fc.integer({ min: 0, max: 59 }), (year, minute) => {
        // Last Sunday of October, 01:mm UTC = 02:mm local, second occurrence
        const lastDay = new Date(Date.UTC(year, 9, 31));
        const sunday = 31 - lastDay.getUTCDay();
        const d = new Date(Date.UTC(year, 9, sunday, 1, minute));
        expect(inSecondOccurrence(d)).toBe(true);
        const back = fromParisLocal(parisLocalDate(d), parisLocalTime(d));
        expect(back.ok && back.value.getTime()).toBe(d.getTime() - HOUR);
      }),
    );
  });
});

describe('Paris days', () => {
  it('day bounds: 24 h normally, 23 h in spring, 25 h in autumn (end exclusive)', () => {
    const length = (s: string) => {
      const { start, end } = parisDayBounds(day(s));
      return (end.getTime() - start.getTime()) / HOUR;
    };
    expect(parisDayBounds(day('2026-03-29'))).toEqual({ start: at('2026-03-28T23:00:00Z'), end: at('2026-03-29T22:00:00Z') });
    expect(parisDayBounds(day('2026-10-25'))).toEqual({ start: at('2026-10-24T22:00:00Z'), end: at('2026-10-25T23:00:00Z') });
    expect(length('2026-03-29')).toBe(23);
    expect(length('2026-10-25')).toBe(25);
    expect(length('2026-06-01')).toBe(24);
    expect(length('2026-12-31')).toBe(24);
  });

  it('every instant lies within the bounds of its own Paris day', () => {
    fc.assert(
      fc.property(wholeMinute, (d) => {
        const { start, end } = parisDayBounds(parisLocalDate(d));
        expect(start.getTime()).toBeLessThanOrEqual(d.getTime());
        expect(d.getTime()).toBeLessThan(end.getTime());
        expect(startOfParisDay(d)).toEqual(start);
        expect(parisLocalTime(start)).toBe('00:00');
      }),
      { numRuns: 1000 },
    );
  });

  it('startOfParisDay on DST days', () => {
    expect(startOfParisDay(at('2026-03-29T20:00:00Z'))).toEqual(at('2026-03-28T23:00:00Z'));
    expect(startOfParisDay(at('2026-10-25T22:59:00Z'))).toEqual(at('2026-10-24T22:00:00Z'));
  });

  it('addParisDays keeps the wall-clock time: 23 h / 25 h across DST', () => {
    const nineAm = at('2026-03-28T08:00:00Z'); // 09:00 CET
    expect(addParisDays(nineAm, 1)).toEqual(at('2026-03-29T07:00:00Z')); // 09:00 CEST, 23 h later
    expect(addParisDays(at('2026-10-24T07:00:00Z'), 1)).toEqual(at('2026-10-25T08:00:00Z')); // 25 h later
    expect(addParisDays(at('2026-03-29T07:00:00Z'), -1)).toEqual(nineAm);
    expect(addParisDays(at('2026-01-10T08:00:00.123Z'), 0)).toEqual(at('2026-01-10T08:00:00.123Z'));
    expect(() => addParisDays(nineAm, 1.5)).toThrow(RangeError);
  });

  it('addParisDays lands a nonexistent target one hour later, and an ambiguous one on its first occurrence', () => {
    expect(parisLocalTime(addParisDays(at('2026-03-28T01:30:00Z'), 1))).toBe('03:30'); // 02:30 does not exist
    expect(addParisDays(at('2026-10-24T00:30:00Z'), 1)).toEqual(at('2026-10-25T00:30:00Z')); // first 02:30
  });

  it('addParisDays preserves the local time and moves the date by n days', () => {
    fc.assert(
      fc.property(wholeMinute, fc.integer({ min: -400, max: 400 }), (d, n) => {
        const moved = addParisDays(d, n);
        const time = parisLocalTime(d);
        const expectedDate = new Date(Date.parse(`${parisLocalDate(d)}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(parisLocalDate(moved)).toBe(expectedDate);
        // only a target inside the spring gap changes the reading (one hour later)
        if (fromParisLocal(expectedDate, time).ok) expect(parisLocalTime(moved)).toBe(time);
      }),
      { numRuns: 1000 },
    );
  });
});
