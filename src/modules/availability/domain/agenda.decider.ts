import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { assertNever, conflictError, notFoundError, validationError, type DomainError, type Result } from '../../../shared-kernel/errors/result.ts';
import type { Actor } from '../../../shared-kernel/events/envelope.ts';
import { isRpps } from '../../../shared-kernel/ids/rpps.id.ts';
import { parisDayBounds, parisLocalDate, type LocalDate, type LocalTime } from '../../../shared-kernel/time/paris-time.ts';
import { CONSULTATION_TYPES, type ConsultationType } from '../contracts/availability.events.ts';
import {
  frenchDate,
  normaliseWeekdays,
  parseCivilDate,
  parseEndTime,
  parseStartTime,
  resolveInterval,
  seriesDates,
  WEEKDAYS,
  type LocalEndTime,
  type Weekday,
} from './agenda.calendar.ts';
import type { AgendaEvent, GeneratedOccurrence, SeriesTemplate, SkippedDate } from './agenda.events.ts';
import {
  emptyAgenda,
  evolveAgenda,
  hasStarted,
  initialAgendaState,
  isBooked,
  isHiddenByUnavailability,
  occurrencesOverlap,
  remainingPlaces,
  type AgendaState,
  type OpenAgenda,
  type Occurrence,
  type Series,
} from './agenda.state.ts';
import { MAX_PUBLICATION_HORIZON_MS, MAX_SLOT_DURATION_MS, MIN_SLOT_DURATION_MS } from './slot.decider.ts';

/**
 * The manual agenda of one effecteur (stream `availability.agenda-<rpps>`): slots and ranges, one-off or weekly,
 * their bookings, and the effecteur's unavailability. Events and vocabulary: see `agenda.events.ts`.
 *
 * Rules (error codes are the named business sentences; messages are French, for the user):
 * - AvailabilitiesCannotOverlap: no two occurrences of the agenda overlap in time (whatever their kind or type);
 * - BookedAvailabilityCannotBeEdited: an occurrence with a booking is neither modified nor deleted, one by one;
 *   a series modification or deletion keeps it unchanged (listed in `keptOccurrenceIds`);
 * - PastAvailabilityCannotBeEdited: an occurrence that has started is history;
 * - SlotIsAlreadyBooked / RangeIsFull: a slot is booked once, a range at most `capacity` times (never negative);
 * - EffecteurIsUnavailable: nothing is booked while the effecteur is unavailable (the occurrence is hidden);
 * - UnavailabilityPeriodsAreLimitedToThree: at most three dated periods not yet over, which do not overlap;
 *   the indefinite switch is independent of them;
 * - civil time in Europe/Paris; daylight-saving rules in `resolveInterval` (agenda.calendar.ts): a time in the
 *   spring-forward gap is refused for a one-off, skipped (and reported) for a series.
 * Commands carry `now` (the injected clock) and `by` (who acts: the effecteur, a délégataire, a structure manager).
 * Repeating a command that already took effect (a client retry with the same ids and content) yields no event.
 */

/** Most patients one range may receive. */
export const MAX_PATIENTS_PER_RANGE = 50;
/** Dated unavailability periods not yet over, at most. */
export const MAX_UNAVAILABILITY_PERIODS = 3;

export type AvailabilityOffer = { readonly kind: 'slot' } | { readonly kind: 'range'; readonly patients: number };
export type WeeklyRecurrence = { readonly weekdays: readonly Weekday[]; readonly until: string };

type CommandBase = {
  /** RPPS of the effecteur whose agenda it is. */
  readonly effecteurId: string;
  readonly now: Date;
  readonly by: Actor;
};

/** What an availability is, in the words of the agenda form: "date, de, à, créneau ou plage de N patients, type". */
type AvailabilityForm = {
  readonly offer: AvailabilityOffer;
  readonly startTime: string;
  /** 'HH:mm', or '24:00' for the midnight that ends the day. */
  readonly endTime: string;
  readonly consultationTypes: readonly ConsultationType[];
};

export type CreateAvailability = CommandBase &
  AvailabilityForm & {
    readonly type: 'CreateAvailability';
    /** Chosen by the client (a UUID): the occurrence id of a one-off, the series id of a weekly recurrence. */
    readonly availabilityId: string;
    readonly date: string;
    readonly recurrence: WeeklyRecurrence | null;
  };

export type ModifyOccurrence = CommandBase &
  AvailabilityForm & { readonly type: 'ModifyOccurrence'; readonly occurrenceId: string; readonly date: string };

export type DeleteOccurrence = CommandBase & { readonly type: 'DeleteOccurrence'; readonly occurrenceId: string };

/** Changes the whole series from now on; its first date stays. */
export type ModifySeries = CommandBase &
  AvailabilityForm & { readonly type: 'ModifySeries'; readonly seriesId: string; readonly recurrence: WeeklyRecurrence };

export type DeleteSeries = CommandBase & { readonly type: 'DeleteSeries'; readonly seriesId: string };

export type BookOccurrence = CommandBase & { readonly type: 'BookOccurrence'; readonly occurrenceId: string; readonly bookingId: string };

export type CancelBooking = CommandBase & { readonly type: 'CancelBooking'; readonly bookingId: string };

/** Whole Paris days, `fromDate` to `toDate` inclusive. */
export type DeclareUnavailability = CommandBase & {
  readonly type: 'DeclareUnavailability';
  readonly periodId: string;
  readonly fromDate: string;
  readonly toDate: string;
};

export type RemoveUnavailability = CommandBase & { readonly type: 'RemoveUnavailability'; readonly periodId: string };
export type SetIndefiniteUnavailability = CommandBase & { readonly type: 'SetIndefiniteUnavailability' };
export type ClearIndefiniteUnavailability = CommandBase & { readonly type: 'ClearIndefiniteUnavailability' };

export type AgendaCommand =
  | CreateAvailability
  | ModifyOccurrence
  | DeleteOccurrence
  | ModifySeries
  | DeleteSeries
  | BookOccurrence
  | CancelBooking
  | DeclareUnavailability
  | RemoveUnavailability
  | SetIndefiniteUnavailability
  | ClearIndefiniteUnavailability;

// ——— Validation ———

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function get<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Client-chosen ids contain no '/', so they never collide with the generated `<seriesId>/<revision>/<date>`. */
function validId(value: string, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw validationError('InvalidIdentifier', `${what} doit être fait de 1 à 64 lettres, chiffres, « - » ou « _ ».`, { value });
  }
  return value;
}

const minutesOf = (time: LocalTime | LocalEndTime): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function validTemplate(form: AvailabilityForm): SeriesTemplate {
  let capacity = 1;
  if (form.offer.kind === 'range') {
    capacity = form.offer.patients;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_PATIENTS_PER_RANGE) {
      throw validationError('RangeCapacityIsInvalid', `Une plage reçoit de 1 à ${MAX_PATIENTS_PER_RANGE} patients.`, { patients: capacity });
    }
  } else if (form.offer.kind !== 'slot') {
    throw validationError('UnknownAvailabilityKind', 'Choisissez un créneau ou une plage.', { kind: (form.offer as { kind: unknown }).kind });
  }
  const startTime = get(parseStartTime(form.startTime));
  const endTime = get(parseEndTime(form.endTime));
  // Durations are judged on the civil times entered: a 01:00–13:00 range stays valid on the 25-hour autumn day.
  const minutes = minutesOf(endTime) - minutesOf(startTime);
  if (minutes <= 0) throw validationError('AvailabilityMustEndAfterItStarts', 'L’heure de fin doit être après l’heure de début.');
  if (minutes * 60_000 < MIN_SLOT_DURATION_MS) {
    throw validationError('AvailabilityIsTooShort', `Une disponibilité dure au moins ${MIN_SLOT_DURATION_MS / 60_000} minutes.`);
  }
  if (minutes * 60_000 > MAX_SLOT_DURATION_MS) {
    throw validationError('AvailabilityIsTooLong', `Une disponibilité dure au plus ${MAX_SLOT_DURATION_MS / 3_600_000} heures.`);
  }
  if (!Array.isArray(form.consultationTypes) || form.consultationTypes.length === 0) {
    throw validationError('AvailabilityNeedsAConsultationType', 'Choisissez au moins un type de consultation (cabinet, téléconsultation, visite à domicile).');
  }
  for (const t of form.consultationTypes) {
    if (!CONSULTATION_TYPES.includes(t)) {
      throw validationError('UnknownConsultationType', `Type de consultation inconnu : ${String(t)}.`, { value: t });
    }
  }
  return {
    kind: form.offer.kind,
    capacity,
    startTime,
    endTime,
    consultationTypes: CONSULTATION_TYPES.filter((t) => form.consultationTypes.includes(t)),
  };
}

function validRecurrence(recurrence: WeeklyRecurrence, firstDate: LocalDate): { weekdays: Weekday[]; until: LocalDate } {
  const days = Array.isArray(recurrence.weekdays) ? recurrence.weekdays : [];
  for (const d of days) {
    if (!WEEKDAYS.includes(d)) throw validationError('UnknownWeekday', `Jour de la semaine inconnu : ${String(d)}.`, { value: d });
  }
  const weekdays = normaliseWeekdays(days);
  if (weekdays.length === 0) throw validationError('RecurrenceNeedsAWeekday', 'Choisissez au moins un jour de la semaine pour la récurrence.');
  const until = get(parseCivilDate(recurrence.until, 'La date de fin de la récurrence'));
  if (until < firstDate) {
    throw validationError('RecurrenceMustEndAfterItStarts', 'La récurrence doit se terminer après sa première date.', { firstDate, until });
  }
  return { weekdays, until };
}

function assertWithinPublicationWindow(start: Date, now: Date): void {
  if (start.getTime() < now.getTime()) {
    throw validationError('AvailabilityCannotStartInThePast', 'Une disponibilité ne peut pas commencer dans le passé.', { start: start.toISOString() });
  }
  if (start.getTime() - now.getTime() > MAX_PUBLICATION_HORIZON_MS) {
    throw validationError('AvailabilityIsTooFarAhead', 'Une disponibilité se publie au plus un an à l’avance.', { start: start.toISOString() });
  }
}

function assertNoOverlap(agenda: OpenAgenda, candidate: { start: string; end: string; date: LocalDate }, ignored: ReadonlySet<string>): void {
  for (const o of agenda.occurrences.values()) {
    if (!ignored.has(o.occurrenceId) && occurrencesOverlap(candidate, o)) {
      throw conflictError(
        'AvailabilitiesCannotOverlap',
        `Cette disponibilité chevauche une autre disponibilité le ${frenchDate(o.date)} (${o.startTime}–${o.endTime}).`,
        { date: candidate.date, occurrenceId: o.occurrenceId },
      );
    }
  }
}

function assertEditable(o: Occurrence, now: Date): void {
  if (isBooked(o)) {
    throw conflictError(
      'BookedAvailabilityCannotBeEdited',
      o.kind === 'slot'
        ? 'Ce créneau est déjà réservé : il ne peut être ni modifié ni supprimé.'
        : 'Cette plage a déjà des réservations : elle ne peut être ni modifiée ni supprimée.',
      { occurrenceId: o.occurrenceId },
    );
  }
  if (hasStarted(o, now)) {
    throw conflictError('PastAvailabilityCannotBeEdited', 'Une disponibilité commencée ou passée ne peut être ni modifiée ni supprimée.', {
      occurrenceId: o.occurrenceId,
    });
  }
}

const sameTypes = (a: readonly ConsultationType[], b: readonly ConsultationType[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);
const sameTemplate = (a: SeriesTemplate, b: SeriesTemplate): boolean =>
  a.kind === b.kind && a.capacity === b.capacity && a.startTime === b.startTime && a.endTime === b.endTime && sameTypes(a.consultationTypes, b.consultationTypes);
const sameRecurrence = (s: Series, weekdays: readonly Weekday[], until: LocalDate): boolean =>
  s.until === until && s.weekdays.length === weekdays.length && s.weekdays.every((d, i) => d === weekdays[i]);

function occurrenceOf(agenda: OpenAgenda, occurrenceId: string): Occurrence {
  const o = agenda.occurrences.get(occurrenceId);
  if (o === undefined) throw notFoundError('AvailabilityDoesNotExist', 'Cette disponibilité n’existe pas (ou plus) dans l’agenda.', { occurrenceId });
  return o;
}

function seriesOf(agenda: OpenAgenda, seriesId: string): Series {
  const s = agenda.series.get(seriesId);
  if (s === undefined) throw notFoundError('SeriesDoesNotExist', 'Cette récurrence n’existe pas (ou plus) dans l’agenda.', { seriesId });
  return s;
}

/**
 * Expands a series over `dates` into occurrences, checking each against the publication window and the agenda
 * (minus the `ignored` occurrences that the series replaces). Dates in the spring-forward gap are skipped.
 */
function expand(
  agenda: OpenAgenda,
  template: SeriesTemplate,
  dates: readonly LocalDate[],
  idOf: (date: LocalDate) => string,
  now: Date,
  ignored: ReadonlySet<string>,
): { occurrences: GeneratedOccurrence[]; skippedDates: SkippedDate[] } {
  const occurrences: GeneratedOccurrence[] = [];
  const skippedDates: SkippedDate[] = [];
  for (const date of dates) {
    const interval = resolveInterval(date, template.startTime, template.endTime);
    if (!interval.ok) {
      skippedDates.push({ date, reason: 'nonexistent-local-time' });
      continue;
    }
    assertWithinPublicationWindow(interval.value.start, now);
    const generated = { occurrenceId: idOf(date), date, start: interval.value.start.toISOString(), end: interval.value.end.toISOString() };
    assertNoOverlap(agenda, generated, ignored);
    occurrences.push(generated);
  }
  return { occurrences, skippedDates };
}

// ——— Decisions ———

function decideCreate(c: CreateAvailability, agenda: OpenAgenda): AgendaEvent[] {
  const id = validId(c.availabilityId, 'L’identifiant de la disponibilité');
  const template = validTemplate(c);
  const date = get(parseCivilDate(c.date));
  const base = { effecteurId: agenda.effecteurId, by: c.by };

  if (c.recurrence === null) {
    const existing = agenda.occurrences.get(id);
    if (existing !== undefined && existing.seriesId === null && existing.date === date && sameTemplate(existing, template)) return [];
    if (existing !== undefined || agenda.series.has(id) || agenda.retiredIds.has(id)) throw idAlreadyUsed(id);
    const { start, end } = get(resolveInterval(date, template.startTime, template.endTime));
    assertWithinPublicationWindow(start, c.now);
    const timing = { date, startTime: template.startTime, endTime: template.endTime, start: start.toISOString(), end: end.toISOString() };
    assertNoOverlap(agenda, timing, new Set());
    return template.kind === 'slot'
      ? [{ type: 'AgendaSlotCreated', data: { ...base, occurrenceId: id, ...timing, consultationTypes: template.consultationTypes } }]
      : [
          {
            type: 'AgendaRangeCreated',
            data: { ...base, occurrenceId: id, ...timing, capacity: template.capacity, consultationTypes: template.consultationTypes },
          },
        ];
  }

  const { weekdays, until } = validRecurrence(c.recurrence, date);
  const existing = agenda.series.get(id);
  if (existing !== undefined && existing.firstDate === date && sameTemplate(existing, template) && sameRecurrence(existing, weekdays, until)) return [];
  if (existing !== undefined || agenda.occurrences.has(id) || agenda.retiredIds.has(id)) throw idAlreadyUsed(id);
  const { occurrences, skippedDates } = expand(agenda, template, seriesDates(date, weekdays, until), (d) => `${id}/0/${d}`, c.now, new Set());
  if (occurrences.length === 0) {
    throw validationError('SeriesHasNoOccurrence', 'Cette récurrence ne produit aucune disponibilité (heures inexistantes à Paris ces jours-là).');
  }
  return [
    {
      type: 'AgendaSeriesCreated',
      data: { ...base, seriesId: id, ...template, firstDate: date, weekdays, until, occurrences, skippedDates },
    },
  ];
}

const idAlreadyUsed = (id: string): DomainError =>
  conflictError('AvailabilityIdIsAlreadyUsed', 'Cet identifiant désigne déjà (ou a désigné) une autre disponibilité de l’agenda.', { availabilityId: id });

function decideModifyOccurrence(c: ModifyOccurrence, agenda: OpenAgenda): AgendaEvent[] {
  const o = occurrenceOf(agenda, c.occurrenceId);
  const template = validTemplate(c);
  const date = get(parseCivilDate(c.date));
  if (o.date === date && sameTemplate(o, template)) return [];
  assertEditable(o, c.now);
  const { start, end } = get(resolveInterval(date, template.startTime, template.endTime));
  assertWithinPublicationWindow(start, c.now);
  const timing = { date, startTime: template.startTime, endTime: template.endTime, start: start.toISOString(), end: end.toISOString() };
  assertNoOverlap(agenda, timing, new Set([o.occurrenceId]));
  return [
    {
      type: 'AgendaOccurrenceModified',
      data: {
        effecteurId: agenda.effecteurId,
        by: c.by,
        occurrenceId: o.occurrenceId,
        seriesId: o.seriesId,
        kind: template.kind,
        capacity: template.capacity,
        ...timing,
        consultationTypes: template.consultationTypes,
      },
    },
  ];
}

function decideDeleteOccurrence(c: DeleteOccurrence, agenda: OpenAgenda): AgendaEvent[] {
  const o = occurrenceOf(agenda, c.occurrenceId);
  assertEditable(o, c.now);
  return [{ type: 'AgendaOccurrenceDeleted', data: { effecteurId: agenda.effecteurId, by: c.by, occurrenceId: o.occurrenceId, seriesId: o.seriesId } }];
}

/** The occurrences of a series a series-wide change may replace (not started, not booked), and those it keeps. */
function splitSeries(agenda: OpenAgenda, seriesId: string, now: Date): { replaceable: Occurrence[]; kept: Occurrence[] } {
  const replaceable: Occurrence[] = [];
  const kept: Occurrence[] = [];
  for (const o of agenda.occurrences.values()) {
    if (o.seriesId !== seriesId) continue;
    (isBooked(o) || hasStarted(o, now) ? kept : replaceable).push(o);
  }
  const byStart = (a: Occurrence, b: Occurrence) => a.start.localeCompare(b.start) || a.occurrenceId.localeCompare(b.occurrenceId);
  return { replaceable: replaceable.sort(byStart), kept: kept.sort(byStart) };
}

function decideModifySeries(c: ModifySeries, agenda: OpenAgenda): AgendaEvent[] {
  const series = seriesOf(agenda, c.seriesId);
  const template = validTemplate(c);
  const { weekdays, until } = validRecurrence(c.recurrence, series.firstDate);
  if (sameTemplate(series, template) && sameRecurrence(series, weekdays, until)) return [];
  const { replaceable, kept } = splitSeries(agenda, series.seriesId, c.now);
  // Dates already taken by a kept occurrence, or deleted one by one, are not regenerated.
  const taken = new Set<string>([...series.excludedDates, ...kept.map((o) => o.seriesDate ?? '')]);
  const today = parisLocalDate(c.now);
  const dates = seriesDates(series.firstDate, weekdays, until).filter((d) => d >= today && !taken.has(d));
  const revision = series.revision + 1;
  const futureDates: LocalDate[] = [];
  for (const d of dates) {
    const interval = resolveInterval(d, template.startTime, template.endTime);
    // a date whose start has passed today is not regenerated (a nonexistent time is reported by `expand`)
    if (!interval.ok || interval.value.start.getTime() > c.now.getTime()) futureDates.push(d);
  }
  const replacedIds = new Set(replaceable.map((o) => o.occurrenceId));
  const { occurrences, skippedDates } = expand(agenda, template, futureDates, (d) => `${series.seriesId}/${revision}/${d}`, c.now, replacedIds);
  return [
    {
      type: 'AgendaSeriesModified',
      data: {
        effecteurId: agenda.effecteurId,
        by: c.by,
        seriesId: series.seriesId,
        revision,
        ...template,
        weekdays,
        until,
        removedOccurrenceIds: [...replacedIds],
        keptOccurrenceIds: kept.map((o) => o.occurrenceId),
        occurrences,
        skippedDates,
      },
    },
  ];
}

function decideDeleteSeries(c: DeleteSeries, agenda: OpenAgenda): AgendaEvent[] {
  const series = seriesOf(agenda, c.seriesId);
  const { replaceable, kept } = splitSeries(agenda, series.seriesId, c.now);
  return [
    {
      type: 'AgendaSeriesDeleted',
      data: {
        effecteurId: agenda.effecteurId,
        by: c.by,
        seriesId: series.seriesId,
        deletedOccurrenceIds: replaceable.map((o) => o.occurrenceId),
        keptOccurrenceIds: kept.map((o) => o.occurrenceId),
      },
    },
  ];
}

function decideBook(c: BookOccurrence, agenda: OpenAgenda): AgendaEvent[] {
  const bookingId = validId(c.bookingId, 'L’identifiant de la réservation');
  const previous = agenda.bookings.get(bookingId);
  if (previous !== undefined) {
    if (previous.status === 'active' && previous.occurrenceId === c.occurrenceId) return []; // the same booking sent again
    throw conflictError('BookingIdIsAlreadyUsed', 'Cet identifiant de réservation a déjà été utilisé.', { bookingId });
  }
  const o = occurrenceOf(agenda, c.occurrenceId);
  if (Date.parse(o.end) <= c.now.getTime()) {
    throw conflictError('AvailabilityHasEnded', 'Cette disponibilité est terminée : elle ne peut plus être réservée.', { occurrenceId: o.occurrenceId });
  }
  if (isHiddenByUnavailability(agenda, o)) {
    throw conflictError('EffecteurIsUnavailable', 'Le professionnel s’est déclaré indisponible à cette date : cette disponibilité ne peut pas être réservée.', {
      occurrenceId: o.occurrenceId,
    });
  }
  if (remainingPlaces(o) <= 0) {
    throw o.kind === 'slot'
      ? conflictError('SlotIsAlreadyBooked', 'Ce créneau est déjà réservé.', { occurrenceId: o.occurrenceId })
      : conflictError('RangeIsFull', 'Cette plage est complète : plus aucune place n’est disponible.', { occurrenceId: o.occurrenceId });
  }
  return [
    {
      type: 'AgendaOccurrenceBooked',
      data: {
        effecteurId: agenda.effecteurId,
        by: c.by,
        occurrenceId: o.occurrenceId,
        bookingId,
        start: o.start,
        end: o.end,
        remainingPlaces: remainingPlaces(o) - 1,
      },
    },
  ];
}

function decideCancel(c: CancelBooking, agenda: OpenAgenda): AgendaEvent[] {
  const booking = agenda.bookings.get(c.bookingId);
  if (booking === undefined) throw notFoundError('BookingDoesNotExist', 'Cette réservation n’existe pas.', { bookingId: c.bookingId });
  if (booking.status === 'cancelled') return [];
  const o = occurrenceOf(agenda, booking.occurrenceId);
  return [
    {
      type: 'AgendaBookingCancelled',
      data: { effecteurId: agenda.effecteurId, by: c.by, occurrenceId: o.occurrenceId, bookingId: booking.bookingId, remainingPlaces: remainingPlaces(o) + 1 },
    },
  ];
}

function decideDeclareUnavailability(c: DeclareUnavailability, agenda: OpenAgenda): AgendaEvent[] {
  const periodId = validId(c.periodId, 'L’identifiant de l’indisponibilité');
  const fromDate = get(parseCivilDate(c.fromDate, 'La date de début'));
  const toDate = get(parseCivilDate(c.toDate, 'La date de fin'));
  if (toDate < fromDate) throw validationError('UnavailabilityMustEndAfterItStarts', 'La fin de l’indisponibilité doit être après son début.');
  const start = parisDayBounds(fromDate).start.toISOString();
  const end = parisDayBounds(toDate).end.toISOString();
  const existing = agenda.unavailabilities.get(periodId);
  if (existing !== undefined) {
    if (existing.fromDate === fromDate && existing.toDate === toDate) return [];
    throw conflictError('UnavailabilityIdIsAlreadyUsed', 'Cet identifiant désigne déjà une autre indisponibilité.', { periodId });
  }
  if (Date.parse(end) <= c.now.getTime()) throw validationError('UnavailabilityIsInThePast', 'Une indisponibilité ne peut pas être entièrement passée.');
  const current = [...agenda.unavailabilities.values()].filter((p) => Date.parse(p.end) > c.now.getTime());
  if (current.length >= MAX_UNAVAILABILITY_PERIODS) {
    throw conflictError(
      'UnavailabilityPeriodsAreLimitedToThree',
      `Vous pouvez déclarer au plus ${MAX_UNAVAILABILITY_PERIODS} périodes d’indisponibilité à venir ; supprimez-en une d’abord, ou déclarez une indisponibilité sans date de fin.`,
    );
  }
  const clash = [...agenda.unavailabilities.values()].find((p) => occurrencesOverlap(p, { start, end }));
  if (clash !== undefined) {
    throw conflictError(
      'UnavailabilityPeriodsCannotOverlap',
      `Cette période chevauche l’indisponibilité du ${frenchDate(clash.fromDate)} au ${frenchDate(clash.toDate)}.`,
      { periodId: clash.periodId },
    );
  }
  return [{ type: 'AgendaUnavailabilityDeclared', data: { effecteurId: agenda.effecteurId, by: c.by, periodId, fromDate, toDate, start, end } }];
}

function decideRemoveUnavailability(c: RemoveUnavailability, agenda: OpenAgenda): AgendaEvent[] {
  if (!agenda.unavailabilities.has(c.periodId)) {
    throw notFoundError('UnavailabilityDoesNotExist', 'Cette indisponibilité n’existe pas (ou plus).', { periodId: c.periodId });
  }
  return [{ type: 'AgendaUnavailabilityRemoved', data: { effecteurId: agenda.effecteurId, by: c.by, periodId: c.periodId } }];
}

/** The agenda a command acts on: the stream's, or an empty one for the first command of a new stream. */
function agendaFor(command: AgendaCommand, state: AgendaState): OpenAgenda {
  if (state.status === 'open') {
    if (state.effecteurId !== command.effecteurId) {
      throw conflictError('AgendaBelongsToAnotherEffecteur', 'Cet agenda est celui d’un autre professionnel.', { effecteurId: command.effecteurId });
    }
    return state;
  }
  if (!isRpps(command.effecteurId)) throw validationError('InvalidRpps', 'Le numéro RPPS du professionnel est invalide.', { value: command.effecteurId });
  return emptyAgenda(command.effecteurId);
}

export function decideAgenda(command: AgendaCommand, state: AgendaState): AgendaEvent[] {
  const agenda = agendaFor(command, state);
  switch (command.type) {
    case 'CreateAvailability':
      return decideCreate(command, agenda);
    case 'ModifyOccurrence':
      return decideModifyOccurrence(command, agenda);
    case 'DeleteOccurrence':
      return decideDeleteOccurrence(command, agenda);
    case 'ModifySeries':
      return decideModifySeries(command, agenda);
    case 'DeleteSeries':
      return decideDeleteSeries(command, agenda);
    case 'BookOccurrence':
      return decideBook(command, agenda);
    case 'CancelBooking':
      return decideCancel(command, agenda);
    case 'DeclareUnavailability':
      return decideDeclareUnavailability(command, agenda);
    case 'RemoveUnavailability':
      return decideRemoveUnavailability(command, agenda);
    case 'SetIndefiniteUnavailability':
      return agenda.indefinitelyUnavailable ? [] : [{ type: 'AgendaIndefiniteUnavailabilitySet', data: { effecteurId: agenda.effecteurId, by: command.by } }];
    case 'ClearIndefiniteUnavailability':
      return agenda.indefinitelyUnavailable ? [{ type: 'AgendaIndefiniteUnavailabilityCleared', data: { effecteurId: agenda.effecteurId, by: command.by } }] : [];
    default:
      return assertNever(command, 'agenda command');
  }
}

export const agendaDecider: Decider<AgendaCommand, AgendaEvent, AgendaState> = {
  initialState: initialAgendaState,
  decide: decideAgenda,
  evolve: evolveAgenda,
};
