/**
 * The FHIR Appointment the platform answers with (POST/PUT responses, reads, searches): rebuilt from what it keeps
 * (VendorAppointment), so it holds exactly the ids, times, status, slot and practitioner — never a patient.
 */
import type { VendorAppointmentRecord } from '../../domain/vendor-appointment.decider.ts';
import { APPOINTMENT_OPERATOR_EXTENSION, APPOINTMENT_PROFILES, IDNPS_SYSTEM, V2_0203 } from './sas-fhir.ts';

export const FHIR_JSON = 'application/fhir+json';

export function toFhirAppointment(record: VendorAppointmentRecord): Record<string, unknown> {
  const a = record.appointment;
  return {
    resourceType: 'Appointment',
    id: record.appointmentId,
    meta: { versionId: String(record.versionId), lastUpdated: record.lastUpdated, profile: [APPOINTMENT_PROFILES[a.profile]] },
    extension: [
      {
        url: APPOINTMENT_OPERATOR_EXTENSION,
        valueReference: { identifier: { type: { coding: [{ system: V2_0203, code: a.operator.type }] }, system: a.operator.system, value: a.operator.value } },
      },
    ],
    identifier: [{ system: a.identifier.system, value: a.identifier.value }],
    status: a.status,
    start: a.start,
    end: a.end,
    ...(a.created ? { created: a.created } : {}),
    slot: [{ reference: `Slot/${a.fhirSlotId}` }],
    participant: a.practitioner
      ? [{ actor: { identifier: { type: { coding: [{ system: V2_0203, code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: a.practitioner.idnps } }, status: 'accepted' }]
      : [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ADM' }] }], status: 'needs-action' }],
  };
}

/** A searchset Bundle of appointments; `base` is the FHIR base URL (`https://host/fhir`). */
export function appointmentSearchset(base: string, selfUrl: string, records: readonly VendorAppointmentRecord[]): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: records.length,
    link: [{ relation: 'self', url: selfUrl }],
    entry: records.map((r) => ({ fullUrl: `${base}/Appointment/${r.appointmentId}`, resource: toFhirAppointment(r), search: { mode: 'match' } })),
  };
}

/** The weak ETag of an appointment version, as FHIR writes it. */
export const versionEtag = (versionId: number) => `W/"${versionId}"`;
