import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { conflictError, validationError } from '../../../shared-kernel/errors/result.ts';
import type { AppointmentFulfilled, AppointmentNoShow, SlotSource } from '../contracts/availability.events.ts';
import { slotDecider, type SlotEvent, type SlotState } from './slot.decider.ts';
import type { VendorAppointment, VendorAppointmentEvent, VendorAppointmentRecorded, VendorAppointmentStatus } from './vendor-appointment.ts';

/**
 * A vendor reports one of its appointments (FHIR `POST /Appointment` = create, conditional `PUT` = update or create)
 * on one of its slots. `appointmentId` = vendorAppointmentId(vendorId, identifier), also the slot's booking id.
 */
export type ReportVendorAppointment = {
  readonly type: 'ReportVendorAppointment';
  readonly vendorId: string;
  readonly slotId: string;
  readonly appointmentId: string;
  readonly appointment: VendorAppointment;
  /** POST creates only (a different resource under a known identifier is refused); PUT updates or creates. */
  readonly mode: 'create' | 'update';
  readonly now: Date;
};

export type VendorSlotStreamEvent = SlotEvent | VendorAppointmentEvent;

/** The current version of an appointment, as its last `VendorAppointmentRecorded` says. */
export type VendorAppointmentRecord = VendorAppointmentRecorded['data'];

export type VendorSlotStreamState = {
  /** The slot itself, as the slot decider sees it (published, booked, withdrawn). */
  readonly slot: SlotState;
  /** Source of the slot's publication (null before it). */
  readonly source: SlotSource | null;
  /** Appointments reported on this slot, by appointment id (a cancelled one stays, final). */
  readonly appointments: ReadonlyMap<string, VendorAppointmentRecord>;
};

/** How early, before its start, a consultation may be reported fulfilled (a patient seen a little ahead of time). */
export const FULFILLED_EARLIEST_BEFORE_START_MS = 30 * 60_000;

/**
 * Status changes a vendor may report, from the guide's statuses (booked, fulfilled, noshow, cancelled):
 * - the first report of an appointment is `booked` (it books the slot);
 * - booked → cancelled (frees the slot), → fulfilled, → noshow;
 * - noshow → fulfilled (the patient came late, or the no-show was an error);
 * - cancelled and fulfilled are final: a new booking of the slot is a new Appointment (a new identifier), a
 *   cancellation after the consultation or a no-show after it has no meaning.
 * The same status again with other details (the `created`, the operator) records a new version and nothing else.
 */
const ALLOWED: Readonly<Record<VendorAppointmentStatus, readonly VendorAppointmentStatus[]>> = {
  booked: ['cancelled', 'fulfilled', 'noshow'],
  noshow: ['fulfilled'],
  fulfilled: [],
  cancelled: [],
};

/** Key order does not count: a stored appointment comes back from the event store with its keys reordered (jsonb). */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]))
      : value;
const sameAppointment = (a: VendorAppointment, b: VendorAppointment) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function slotTimes(slot: SlotState): { effecteurId: string; start: string; end: string } | null {
  return slot.status === 'published' || slot.status === 'booked' ? { effecteurId: slot.effecteurId, start: slot.start, end: slot.end } : null;
}

function decideReport(command: ReportVendorAppointment, state: VendorSlotStreamState): VendorSlotStreamEvent[] {
  const { appointment, appointmentId, slotId, vendorId, now } = command;
  if (state.slot.status === 'initial') {
    throw validationError(
      'VendorSlotIsUnknown',
      `Le créneau Slot/${appointment.fhirSlotId} n’a jamais été publié sur la plateforme par cet éditeur (agrégation) : le rendez-vous ne peut pas y être rattaché.`,
      { slot: `Slot/${appointment.fhirSlotId}` },
    );
  }
  if (state.source !== 'vendor') {
    throw validationError('SlotIsNotAVendorSlot', 'Ce créneau n’est pas un créneau d’éditeur.', { slotId });
  }
  const existing = state.appointments.get(appointmentId);
  if (existing && sameAppointment(existing.appointment, appointment)) return []; // the same notification again: nothing new
  if (existing && command.mode === 'create') {
    throw conflictError(
      'AppointmentAlreadyExists',
      'Un rendez-vous de même identifiant existe déjà : modifiez-le par PUT /Appointment?identifier=système|valeur.',
      { appointmentId },
    );
  }

  const slot = state.slot;
  const effecteurId = slot.effecteurId;
  if (appointment.practitioner && appointment.practitioner.rpps !== effecteurId) {
    throw validationError(
      'AppointmentPractitionerIsNotTheSlots',
      `Le professionnel du rendez-vous (${appointment.practitioner.idnps}) n’est pas celui du créneau (8${effecteurId}).`,
    );
  }
  const start = new Date(appointment.start);
  const end = new Date(appointment.end);
  const times = slotTimes(slot);
  if (times && (start.getTime() < Date.parse(times.start) || end.getTime() > Date.parse(times.end))) {
    throw validationError('AppointmentIsOutsideItsSlot', `Le rendez-vous (${appointment.start} – ${appointment.end}) sort des horaires de son créneau (${times.start} – ${times.end}).`);
  }

  const previous = existing?.appointment.status ?? null;
  const next = appointment.status;
  const events: VendorSlotStreamEvent[] = [];
  const outcome = { slotId, effecteurId, bookingId: appointmentId, vendorId, start: start.toISOString(), end: end.toISOString() };
  if (previous === null) {
    if (next !== 'booked') {
      throw validationError('AppointmentMustFirstBeBooked', `Rendez-vous inconnu : son premier signalement doit avoir le statut « booked », pas « ${next} ».`);
    }
    const booked = slotDecider.decide({ type: 'BookSlot', slotId, bookingId: appointmentId, orientationId: null, now }, slot);
    // The slot decider writes the slot's booking; this one is a vendor slot's.
    events.push(...booked.map((e) => (e.type === 'SlotBooked' ? { ...e, data: { ...e.data, source: 'vendor' as const } } : e)));
  } else if (previous !== next) {
    if (!ALLOWED[previous].includes(next)) {
      throw conflictError('AppointmentStatusCannotChange', `Un rendez-vous « ${previous} » ne peut pas passer au statut « ${next} ».`, { from: previous, to: next });
    }
    if (next === 'cancelled') {
      events.push(...slotDecider.decide({ type: 'CancelBooking', slotId, bookingId: appointmentId, reason: null }, slot));
    } else if (next === 'fulfilled') {
      if (now.getTime() < start.getTime() - FULFILLED_EARLIEST_BEFORE_START_MS) {
        throw validationError('AppointmentHasNotTakenPlaceYet', 'Un rendez-vous ne peut pas être déclaré honoré (fulfilled) avant son heure.');
      }
      events.push({ type: 'AppointmentFulfilled', data: outcome } satisfies AppointmentFulfilled);
    } else if (next === 'noshow') {
      if (now.getTime() < start.getTime()) {
        throw validationError('AppointmentHasNotTakenPlaceYet', 'Un patient ne peut pas être déclaré absent (noshow) avant l’heure du rendez-vous.');
      }
      events.push({ type: 'AppointmentNoShow', data: outcome } satisfies AppointmentNoShow);
    }
  }
  events.push({
    type: 'VendorAppointmentRecorded',
    data: { appointmentId, slotId, vendorId, versionId: (existing?.versionId ?? 0) + 1, lastUpdated: now.toISOString(), appointment },
  });
  return events;
}

/**
 * The stream of a vendor slot (`availability.slot-<vendorSlotId>`) as the FHIR Appointment endpoint decides on it:
 * the slot's own decider for booking and cancelling (never two bookings; a booked slot is not booked again), plus the
 * appointments reported on it. One append holds the slot's public event and the appointment's new version, so a
 * notification is recorded whole or not at all.
 */
export const vendorAppointmentDecider: Decider<ReportVendorAppointment, VendorSlotStreamEvent, VendorSlotStreamState> = {
  initialState: () => ({ slot: slotDecider.initialState(), source: null, appointments: new Map() }),
  decide: (command, state) => decideReport(command, state),
  evolve(state, event) {
    switch (event.type) {
      case 'VendorAppointmentRecorded': {
        const appointments = new Map(state.appointments);
        appointments.set(event.data.appointmentId, event.data);
        return { ...state, appointments };
      }
      case 'AppointmentFulfilled':
      case 'AppointmentNoShow':
        return state; // the appointment's status is in its record
      case 'SlotPublished':
        return { ...state, source: event.data.source, slot: slotDecider.evolve(state.slot, event) };
      default:
        return { ...state, slot: slotDecider.evolve(state.slot, event) };
    }
  },
};
