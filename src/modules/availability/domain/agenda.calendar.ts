import { err, ok, validationError, type DomainError, type Result } from '../../../shared-kernel/errors/result.ts';
import { fromParisLocal, parseLocalDate, parseLocalTime, type LocalDate, type LocalTime } from '../../../shared-kernel/time/paris-time.ts';

/**
 * Civil-calendar arithmetic of the manual agenda: Paris dates, weekdays, weekly recurrences, and the
 * conversion of a civil interval ("2026-03-29 09:00–09:20") into UTC instants with the zone rules.
 * All conversions go through `shared-kernel/time/paris-time.ts`; nothing here reads the system clock.
 */

/** Weekdays as in iCalendar (RFC 5545 BYDAY), Monday first as in France. */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const FRENCH_WEEKDAYS: Record<Weekday, string> = {
  MO: 'lundi',
  TU: 'mardi',
  WE: 'mercredi',
  TH: 'jeudi',
  FR: 'vendredi',
  SA: 'samedi',
  SU: 'dimanche',
};

/** An end time of "24:00" means the midnight that ends the day (an evening range 20:00–24:00). */
export const END_OF_DAY = '24:00';
/** A civil end time: 'HH:mm' or '24:00'. */
export type LocalEndTime = LocalTime | typeof END_OF_DAY;

const DAY_MS = 86_400_000;
const utcMidnight = (date: LocalDate): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

export const weekdayOf = (date: LocalDate): Weekday => WEEKDAYS[(new Date(utcMidnight(date)).getUTCDay() + 6) % 7]!;

export const addDays = (date: LocalDate, n: number): LocalDate => new Date(utcMidnight(date) + n * DAY_MS).toISOString().slice(0, 10) as LocalDate;

/** 29/03/2026: dates as a French user reads them, for error messages. */
export const frenchDate = (date: LocalDate): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

export const frenchWeekday = (day: Weekday): string => FRENCH_WEEKDAYS[day];

/** Weekdays deduplicated and in calendar order, so that equal recurrences compare equal. */
export const normaliseWeekdays = (days: readonly Weekday[]): Weekday[] => WEEKDAYS.filter((d) => days.includes(d));

/**
 * The dates of a weekly series: the first date (always an occurrence: it is the date the user entered), then
 * every following date up to `until` inclusive whose weekday was chosen.
 */
export function seriesDates(firstDate: LocalDate, weekdays: readonly Weekday[], until: LocalDate): LocalDate[] {
  const dates: LocalDate[] = [firstDate];
  for (let d = addDays(firstDate, 1); d <= until; d = addDays(d, 1)) {
    if (weekdays.includes(weekdayOf(d))) dates.push(d);
  }
  return dates;
}

/** Parses a civil date, with a French message. */
export function parseCivilDate(input: unknown, what = 'La date'): Result<LocalDate> {
  const r = parseLocalDate(input);
  return r.ok ? r : err(validationError('InvalidLocalDate', `${what} doit être une date valide au format AAAA-MM-JJ.`, { value: input }));
}

/** Parses a civil start time 'HH:mm' (00:00–23:59), with a French message. */
export function parseStartTime(input: unknown): Result<LocalTime> {
  const r = parseLocalTime(input);
  return r.ok ? r : err(validationError('InvalidLocalTime', 'L’heure de début doit être écrite HH:MM (de 00:00 à 23:59).', { value: input }));
}

/** Parses a civil end time 'HH:mm' or '24:00', with a French message. */
export function parseEndTime(input: unknown): Result<LocalEndTime> {
  if (input === END_OF_DAY) return ok(END_OF_DAY);
  const r = parseLocalTime(input);
  return r.ok ? r : err(validationError('InvalidLocalTime', 'L’heure de fin doit être écrite HH:MM (de 00:01 à 24:00).', { value: input }));
}

/**
 * The instants of a civil interval on one Paris day.
 *
 * Daylight-saving rules (decided for the agenda, tested in tests/availability/agenda.dst.unit.test.ts):
 * - a start or end inside the spring-forward gap (02:00–02:59 on the last Sunday of March) does not exist:
 *   the interval is refused with `NonexistentLocalTime` (never silently shifted: a regulator must not see an
 *   availability at an hour the effecteur did not declare). A weekly series skips that date and reports it;
 * - a time inside the repeated autumn hour (02:00–02:59 on the last Sunday of October) is its first occurrence
 *   (summer time); the interval keeps its real elapsed duration (02:30–03:30 that night lasts two hours);
 * - an interval spanning a change keeps its wall-clock bounds: 01:00–04:00 lasts 2 h in March, 4 h in October.
 * Because the first-occurrence reading is monotonic, an end after the start in civil time is after it as instants.
 */
export function resolveInterval(date: LocalDate, startTime: LocalTime, endTime: LocalEndTime): Result<{ start: Date; end: Date }> {
  const start = fromParisLocal(date, startTime);
  if (!start.ok) return err(nonexistent(date, startTime));
  const end = endTime === END_OF_DAY ? fromParisLocal(addDays(date, 1), '00:00') : fromParisLocal(date, endTime);
  if (!end.ok) return err(nonexistent(date, endTime));
  return ok({ start: start.value, end: end.value });
}

const nonexistent = (date: LocalDate, time: string): DomainError =>
  validationError(
    'NonexistentLocalTime',
    `L’heure ${time} n’existe pas le ${frenchDate(date)} à Paris (passage à l’heure d’été : de 02:00 on passe à 03:00). Choisissez une autre heure.`,
    { date, time },
  );
