/**
 * Public integration events of the availability module: the language other modules (directory search,
 * orientation, participation) listen to. Stable forever; new shapes come with a new schemaVersion and an upcaster.
 */
export const CONSULTATION_TYPES = ['cabinet', 'teleconsultation', 'domicile'] as const;
export type ConsultationType = (typeof CONSULTATION_TYPES)[number];

export type SlotSource = 'manual' | 'vendor';

/**
 * How a VENDOR slot is booked (optional field of `SlotPublished` / `SlotChanged`, added backward compatibly: absent
 * on manual slots and on vendor slots published before it existed, which readers treat as before):
 * - `end-to-end`: the vendor offers booking from the SAS — the regulator is redirected to the vendor's booking page
 *   (`GET /api/slots/{slotId}/vendor-booking`) and the vendor reports the appointment (FHIR Appointment);
 * - `phone`: the vendor only shares its slots (aggregation only): the regulator calls the practitioner.
 * A vendor whose capability changes has its published slots re-sent as `SlotChanged` with the new mode.
 */
export const VENDOR_BOOKING_MODES = ['end-to-end', 'phone'] as const;
export type VendorBookingMode = (typeof VENDOR_BOOKING_MODES)[number];

export type SlotPublished = {
  readonly type: 'SlotPublished';
  readonly data: {
    readonly slotId: string;
    /** RPPS of the effecteur (11 digits). */
    readonly effecteurId: string;
    /** ISO-8601 instants (UTC). */
    readonly start: string;
    readonly end: string;
    readonly consultationTypes: readonly ConsultationType[];
    readonly source: SlotSource;
    /** Vendor slots only (optional, backward compatible): how the slot is booked. See `VendorBookingMode`. */
    readonly bookingMode?: VendorBookingMode;
  };
};

export type SlotWithdrawn = {
  readonly type: 'SlotWithdrawn';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly reason: string | null;
  };
};

/**
 * A published slot's time or consultation types changed (an agenda occurrence edited, a vendor moved a slot).
 * Carries the whole new slot.
 */
export type SlotChanged = {
  readonly type: 'SlotChanged';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly start: string;
    readonly end: string;
    readonly consultationTypes: readonly ConsultationType[];
    readonly source: SlotSource;
    /** Vendor slots only (optional, backward compatible): how the slot is booked. See `VendorBookingMode`. */
    readonly bookingMode?: VendorBookingMode;
  };
};

/**
 * A place of a slot was booked for a patient (through the platform for a manual slot or range, or reported by
 * the vendor's FHIR Appointment for a vendor slot). No patient data: the booking is identified by its id only.
 * `remainingPlaces` is what is left after this booking (0 for a booked slot: it leaves search; a range with
 * places left stays searchable).
 */
export type SlotBooked = {
  readonly type: 'SlotBooked';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly bookingId: string;
    readonly start: string;
    readonly end: string;
    readonly source: SlotSource;
    readonly remainingPlaces: number;
    /** The orientation the booking was made for, when the booking regulator gave it (platform bookings only). */
    readonly orientationId?: string | null;
  };
};

/** A booking was cancelled: its place is free again (`remainingPlaces` after the cancellation, ≥ 1). */
export type BookingCancelled = {
  readonly type: 'BookingCancelled';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly bookingId: string;
    readonly reason: string | null;
    readonly remainingPlaces: number;
  };
};

/**
 * The effecteur's unavailability AS NOW DECLARED: up to three dated periods (instants, end exclusive) and the
 * "indefinite" switch. Each event replaces the previous declaration (empty periods and `indefinite: false`:
 * available again). While unavailable, ALL the effecteur's slots — manual and vendor — are hidden from search;
 * they reappear when the declaration no longer covers them. Readers apply it; slots are not withdrawn for it.
 */
export type UnavailabilityDeclared = {
  readonly type: 'UnavailabilityDeclared';
  readonly data: {
    readonly effecteurId: string;
    readonly periods: readonly { readonly periodId: string; readonly start: string; readonly end: string }[];
    readonly indefinite: boolean;
  };
};

/**
 * A vendor reported (FHIR Appointment, status `fulfilled`) that the consultation booked on one of its slots took
 * place: the participation module turns it into a confirmed SAS consultation. Appended on the slot's stream
 * (`availability.slot-<slotId>`, after its `SlotBooked`). `bookingId` is the booking of that `SlotBooked`;
 * `start`/`end` are the appointment's (ISO instants, UTC); `vendorId` the reporting vendor (its machine client id).
 * No patient data. A `noshow` reported earlier may be followed by this event (the patient came late): the latest wins.
 */
export type AppointmentFulfilled = {
  readonly type: 'AppointmentFulfilled';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly bookingId: string;
    readonly vendorId: string;
    readonly start: string;
    readonly end: string;
  };
};

/**
 * A vendor reported (FHIR Appointment, status `noshow`) that the patient did not come to the consultation booked on
 * one of its slots: no consultation to confirm. Same shape and stream as `AppointmentFulfilled`; the slot stays booked.
 */
export type AppointmentNoShow = {
  readonly type: 'AppointmentNoShow';
  readonly data: {
    readonly slotId: string;
    readonly effecteurId: string;
    readonly bookingId: string;
    readonly vendorId: string;
    readonly start: string;
    readonly end: string;
  };
};

/** Outcomes of vendor-booked consultations (kept out of `AvailabilityIntegrationEvent`: slot read models ignore them). */
export type AppointmentOutcomeEvent = AppointmentFulfilled | AppointmentNoShow;
export const APPOINTMENT_OUTCOME_EVENT_TYPES: readonly AppointmentOutcomeEvent['type'][] = ['AppointmentFulfilled', 'AppointmentNoShow'];

export type AvailabilityIntegrationEvent = SlotPublished | SlotWithdrawn | SlotChanged | SlotBooked | BookingCancelled | UnavailabilityDeclared;

export const AVAILABILITY_EVENT_TYPES: readonly AvailabilityIntegrationEvent['type'][] = [
  'SlotPublished',
  'SlotWithdrawn',
  'SlotChanged',
  'SlotBooked',
  'BookingCancelled',
  'UnavailabilityDeclared',
];

export const AVAILABILITY_STREAM_PREFIX = 'availability.';
export const slotStreamName = (slotId: string) => `availability.slot-${slotId}`;
/**
 * The effecteur's manual agenda stream. Besides the agenda's private `Agenda…` events it carries the public
 * events above for its occurrences (appended in the same append as the decision), whose `slotId` is
 * `agendaSlotId(effecteurId, occurrenceId)` (domain/agenda-slot-id.ts): a UUID, stable for an occurrence.
 */
export const agendaStreamName = (effecteurId: string) => `availability.agenda-${effecteurId}`;
