import { TZDate, tzOffset } from '@date-fns/tz';
import { err, ok, validationError, type Result } from '../errors/result.ts';

/**
 * Civil time in metropolitan France. Opening hours, slots and "today" are Paris wall-clock notions, while
 * the platform stores instants (Date, UTC). These helpers are the only place that converts between the two,
 * and they make the two daylight-saving transitions explicit:
 * - spring forward (last Sunday of March, 02:00 → 03:00): local times 02:00–02:59 do not exist;
 * - fall back (last Sunday of October, 03:00 → 02:00): local times 02:00–02:59 happen twice.
 * (Overseas départements have their own zones; they are out of scope here.)
 */
export const PARIS = 'Europe/Paris';

/** A Paris calendar date, 'YYYY-MM-DD'. */
export type LocalDate = string & { readonly __brand: 'LocalDate' };
/** A Paris wall-clock time to the minute, 'HH:mm' (00:00–23:59). */
export type LocalTime = string & { readonly __brand: 'LocalTime' };

const MINUTE = 60_000;
const DAY = 86_400_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

// Years limited to 1000–2999: enough for any booking, and avoids Date.UTC's 0–99 → 1900s quirk.
const DATE = /^([12]\d{3})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseLocalDate(input: unknown): Result<LocalDate> {
  const m = typeof input === 'string' ? DATE.exec(input) : null;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(y, mo - 1, d));
    // Date.UTC rolls 2026-02-30 over to March: a calendar-valid date survives the round trip unchanged.
    if (probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d) return ok(input as LocalDate);
  }
  return err(validationError('InvalidLocalDate', 'A date must be a valid calendar date written YYYY-MM-DD', { value: input }));
}

export function parseLocalTime(input: unknown): Result<LocalTime> {
  if (typeof input === 'string' && TIME.test(input)) return ok(input as LocalTime);
  return err(validationError('InvalidLocalTime', 'A time must be written HH:mm, from 00:00 to 23:59', { value: input }));
}

/** UTC offset of Paris at this instant, in minutes: 60 in winter (CET), 120 in summer (CEST). */
export const utcOffsetMinutes = (instant: Date): number => tzOffset(PARIS, instant);

/** The Paris calendar date at this instant. */
export function parisLocalDate(instant: Date): LocalDate {
  const z = new TZDate(instant.getTime(), PARIS);
  return `${pad(z.getFullYear(), 4)}-${pad(z.getMonth() + 1)}-${pad(z.getDate())}` as LocalDate;
}

/** The Paris wall-clock time at this instant, truncated to the minute. */
export function parisLocalTime(instant: Date): LocalTime {
  const z = new TZDate(instant.getTime(), PARIS);
  return `${pad(z.getHours())}:${pad(z.getMinutes())}` as LocalTime;
}

/**
 * The instant at which Paris clocks show `date` `time`.
 * - Nonexistent time (inside the spring-forward gap): error `NonexistentLocalTime` — a slot at 02:30 on
 *   that night cannot be honoured, and silently moving it would mislead the patient.
 * - Ambiguous time (inside the repeated fall-back hour): the FIRST occurrence (summer time, +02:00), i.e.
 *   the earlier instant, so nothing scheduled "at 02:30" is ever considered later than it really is.
 */
export function fromParisLocal(date: string, time: string): Result<Date> {
  const d = parseLocalDate(date);
  if (!d.ok) return d;
  const t = parseLocalTime(time);
  if (!t.ok) return t;
  const wall = wallMs(d.value, t.value);
  const [first] = instantsForWall(wall);
  if (first === undefined) {
    return err(
      validationError('NonexistentLocalTime', `${date} ${time} does not exist in Paris (clocks go forward for daylight saving)`, {
        date,
        time,
      }),
    );
  }
  return ok(new Date(first));
}

/** Paris midnight at the start of the day containing `instant` (midnight always exists in Paris). */
export const startOfParisDay = (instant: Date): Date => new Date(resolveCompatible(wallMs(parisLocalDate(instant), '00:00' as LocalTime)));

/** Start (inclusive) and end (exclusive) of a Paris day: 24 h long, except 23 h and 25 h on DST days. */
export function parisDayBounds(date: LocalDate): { start: Date; end: Date } {
  const startWall = wallMs(date, '00:00' as LocalTime);
  return { start: new Date(resolveCompatible(startWall)), end: new Date(resolveCompatible(startWall + DAY)) };
}

/**
 * Moves `n` calendar days keeping the Paris wall-clock time (a 09:00 slot stays at 09:00), so the elapsed
 * time is 23 h or 25 h across a DST change. If the target wall time does not exist (02:30 on the spring
 * forward day), it lands one hour later, 03:30; if it is ambiguous, on the first occurrence — the same
 * "compatible" rule as Temporal and RFC 5545 (iCalendar recurrences).
 */
export function addParisDays(instant: Date, n: number): Date {
  if (!Number.isInteger(n)) throw new RangeError(`addParisDays: the number of days must be an integer, got ${n}`);
  if (n === 0) return new Date(instant.getTime());
  // Wall clock as if it were UTC; sub-minute parts are carried over unchanged.
  const ms = instant.getTime();
  const wall = ms + utcOffsetMinutes(instant) * MINUTE;
  return new Date(resolveCompatible(wall + n * DAY));
}

/** Milliseconds of the wall-clock reading `date time` taken as if it were UTC. */
function wallMs(date: LocalDate, time: LocalTime): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(time.slice(0, 2)), Number(time.slice(3, 5)));
}

/**
 * The instants (sorted) at which Paris clocks read `wall`: one normally, none in the spring gap, two in
 * the autumn overlap. Paris changes offset at most once in any two-day window, so the offsets a day
 * before and a day after are the only candidates; a candidate is right if the zone agrees at that instant.
 */
function instantsForWall(wall: number): number[] {
  const offsets = new Set([tzOffset(PARIS, new Date(wall - DAY)), tzOffset(PARIS, new Date(wall + DAY))]);
  const found: number[] = [];
  for (const offset of offsets) {
    const instant = wall - offset * MINUTE;
    if (tzOffset(PARIS, new Date(instant)) === offset) found.push(instant);
  }
  return found.sort((a, b) => a - b);
}

/** Like instantsForWall, but a nonexistent wall time is read with the pre-transition offset (→ +1 h). */
function resolveCompatible(wall: number): number {
  const [first] = instantsForWall(wall);
  return first ?? wall - tzOffset(PARIS, new Date(wall - DAY)) * MINUTE;
}
