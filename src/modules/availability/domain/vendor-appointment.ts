import { nameBasedUuid } from '../../../shared-kernel/ids/uuid.ts';
import type { AppointmentFulfilled, AppointmentNoShow } from '../contracts/availability.events.ts';

/**
 * What the platform keeps of a booking vendor's FHIR Appointment (FrAppointmentSAS / sas-sos-appointment) of one of
 * its slots. Built field by field from the validated resource (infrastructure/fhir/appointment-validator.ts), never
 * copied from it: NO patient data — no Patient participant, no contained resource, no text, comment, description or
 * note — can reach an event. Only ids, times, status, the slot and the practitioner.
 */
export const VENDOR_APPOINTMENT_STATUSES = ['booked', 'fulfilled', 'noshow', 'cancelled'] as const;
export type VendorAppointmentStatus = (typeof VENDOR_APPOINTMENT_STATUSES)[number];

export type VendorAppointment = {
  /** The guide's profile the vendor declared: FrAppointmentSAS (PS, CPTS) or sas-sos-appointment. */
  readonly profile: 'sas' | 'sos';
  /** The vendor's business identifier (its OID or URL, its technical id): the key of its conditional updates. */
  readonly identifier: { readonly system: string; readonly value: string };
  /** The regulator who booked, as received by the vendor in INT_R02 (a professional, not a patient). */
  readonly operator: { readonly type: 'IDNPS' | 'INTRN'; readonly system: string; readonly value: string };
  readonly status: VendorAppointmentStatus;
  /** As sent by the vendor (FHIR instants with their offset). */
  readonly start: string;
  readonly end: string;
  readonly created: string | null;
  /** The logical id of the vendor's Slot (`Appointment.slot` = `Slot/<id>`). */
  readonly fhirSlotId: string;
  /**
   * The practitioner participant: its IDNPS (`8`+RPPS or `0`+ADELI) and the RPPS when it is one. null only for an SOS
   * appointment whose doctor is not known yet (participant `ADM`, `needs-action`).
   */
  readonly practitioner: { readonly idnps: string; readonly rpps: string | null } | null;
};

/** One version of an appointment as recorded on its slot's stream. */
export type VendorAppointmentRecorded = {
  readonly type: 'VendorAppointmentRecorded';
  readonly data: {
    /** The platform's id of the appointment, which is also the booking id of the slot (vendorAppointmentId). */
    readonly appointmentId: string;
    readonly slotId: string;
    readonly vendorId: string;
    /** 1, 2, … : FHIR `meta.versionId`. */
    readonly versionId: number;
    /** ISO instant of this version: FHIR `meta.lastUpdated`. */
    readonly lastUpdated: string;
    readonly appointment: VendorAppointment;
  };
};

/** Events of the FHIR Appointment endpoint that a vendor slot's stream carries besides the slot's own. */
export type VendorAppointmentEvent = VendorAppointmentRecorded | AppointmentFulfilled | AppointmentNoShow;

export const VENDOR_APPOINTMENT_EVENT_TYPES: readonly string[] = ['VendorAppointmentRecorded', 'AppointmentFulfilled', 'AppointmentNoShow'] satisfies VendorAppointmentEvent['type'][];

/** The namespace of vendor appointment ids (a fixed random UUID). */
const NAMESPACE = '3f6c1b8e-2d47-4a59-9e0b-7c51d2a8f463';

/**
 * The platform's id of a vendor's appointment, also the booking id of the slot it books: a name-based UUID of the
 * vendor (the machine client id) and the Appointment's business identifier, so a replayed notification maps to the
 * same booking, and two vendors' identifiers never collide.
 */
export const vendorAppointmentId = (vendorId: string, identifier: { readonly system: string; readonly value: string }): string =>
  nameBasedUuid(NAMESPACE, `${vendorId}\n${identifier.system}|${identifier.value}`);
