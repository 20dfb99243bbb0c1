/**
 * The FHIR Appointment validator (profile rules, what is kept) and the vendor slot's appointment decider (status
 * changes), without I/O. The HTTP behaviour is in fhir-appointment.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/shared-kernel/errors/result.ts';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import { validateAppointment } from '../../src/modules/availability/infrastructure/fhir/appointment-validator.ts';
import { vendorAppointmentDecider, type ReportVendorAppointment, type VendorSlotStreamEvent } from '../../src/modules/availability/domain/vendor-appointment.decider.ts';
import { vendorAppointmentId, type VendorAppointment, type VendorAppointmentStatus } from '../../src/modules/availability/domain/vendor-appointment.ts';
import { slotDecider } from '../../src/modules/availability/domain/slot.decider.ts';

const EXAMPLE = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../data/reference/fhir-examples/appointment-booked.json'), 'utf8')) as Record<string, any>;
const SOS_PROFILE = 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-appointment';

const rules = (input: unknown) => {
  const result = validateAppointment(input);
  return result.ok ? [] : result.issues.map((i) => i.details?.coding[0]?.code);
};

describe('validateAppointment', () => {
  it('accepts the guide’s example and keeps only ids, times, status, slot and practitioner', () => {
    const result = validateAppointment(EXAMPLE);
    expect(result).toEqual({
      ok: true,
      appointment: {
        profile: 'sas',
        identifier: EXAMPLE.identifier[0],
        operator: { type: 'IDNPS', system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810991900019' },
        status: 'booked',
        start: EXAMPLE.start,
        end: EXAMPLE.end,
        created: EXAMPLE.created,
        fhirSlotId: 's-1001',
        practitioner: { idnps: '810991003103', rpps: '10991003103' },
      },
    });
  });

  it('accepts an SOS appointment whose doctor is not known yet (ADM, needs-action), an INTRN operator and an absolute slot URL', () => {
    const result = validateAppointment({
      ...EXAMPLE,
      meta: { profile: [SOS_PROFILE] },
      extension: [{ url: EXAMPLE.extension[0].url, valueReference: { identifier: { type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'INTRN' }] }, system: 'urn:oid:1.2.250.1.213.3.6', value: '2D2DB05F-8B1A-4C4E-9F1D-0E5B6A7C8D9E' } } }],
      slot: [{ reference: 'https://agenda.example.fr/fhir/Slot/pfg-42' }],
      participant: [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ADM' }] }], status: 'needs-action' }],
    });
    expect(result.ok && result.appointment).toMatchObject({ profile: 'sos', fhirSlotId: 'pfg-42', practitioner: null, operator: { type: 'INTRN', value: '2d2db05f-8b1a-4c4e-9f1d-0e5b6a7c8d9e' } });
  });

  it('refuses a PS appointment without a practitioner, even with an ADM participant', () => {
    const participant = [{ type: [{ coding: [{ code: 'ADM' }] }], status: 'needs-action' }];
    expect(rules({ ...EXAMPLE, participant })).toEqual(['AppointmentPractitionerIsRequired']);
  });

  it('takes an ADELI practitioner (0 + ADELI) with no RPPS', () => {
    const participant = structuredClone(EXAMPLE.participant);
    participant[0].actor.identifier.value = '0311234561';
    const result = validateAppointment({ ...EXAMPLE, participant });
    expect(result.ok ? result.appointment.practitioner : null).toEqual({ idnps: '0311234561', rpps: null });
  });

  it('answers 400 for what is not an Appointment and 422 for profile violations, never throwing', () => {
    for (const input of [null, 42, 'Appointment', [], { resourceType: 'Slot' }]) {
      const result = validateAppointment(input);
      expect(result.ok === false && result.status).toBe(400);
    }
    const result = validateAppointment({ resourceType: 'Appointment' });
    expect(result.ok === false && result.status).toBe(422);
    expect(rules({ resourceType: 'Appointment' })).toEqual([
      'AppointmentProfileIsRequired',
      'AppointmentIdentifierIsRequired',
      'AppointmentOperatorIsRequired',
      'AppointmentStatusIsRequired',
      'AppointmentTimesAreRequired',
      'AppointmentTimesAreRequired',
      'AppointmentSlotIsRequired',
      'AppointmentPractitionerIsRequired',
    ]);
  });

  it('refuses identifier values that would break the identifier=system|value key', () => {
    for (const value of ['a|b', 'a,b', 'a b', '', 'x'.repeat(129)]) {
      expect(rules({ ...EXAMPLE, identifier: [{ system: EXAMPLE.identifier[0].system, value }] })).toEqual(['AppointmentIdentifierValueIsInvalid']);
    }
  });
});

describe('vendorAppointmentDecider', () => {
  const SLOT = '0b9c6a1e-3f7d-5c2a-9e4b-1d8f7a6c5b43';
  const start = new Date('2027-03-10T09:00:00Z');
  const end = new Date('2027-03-10T09:20:00Z');
  const appointment: VendorAppointment = {
    profile: 'sas',
    identifier: { system: 'urn:oid:1.2.250.1.999.1.1', value: 'rdv-1' },
    operator: { type: 'IDNPS', system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810991900019' },
    status: 'booked',
    start: '2027-03-10T10:00:00+01:00',
    end: '2027-03-10T10:20:00+01:00',
    created: null,
    fhirSlotId: 's-1',
    practitioner: { idnps: '810991003103', rpps: '10991003103' },
  };
  const appointmentId = vendorAppointmentId('vendor-a', appointment.identifier);
  const published: VendorSlotStreamEvent = {
    type: 'SlotPublished',
    data: { slotId: SLOT, effecteurId: '10991003103', start: start.toISOString(), end: end.toISOString(), consultationTypes: ['cabinet'], source: 'vendor' },
  };
  const report = (status: VendorAppointmentStatus, now = new Date(start.getTime() - 3600_000), mode: 'create' | 'update' = 'update'): ReportVendorAppointment => ({
    type: 'ReportVendorAppointment',
    vendorId: 'vendor-a',
    slotId: SLOT,
    appointmentId,
    appointment: { ...appointment, status },
    mode,
    now,
  });
  /** Plays the statuses in order from a published slot; answers the events of the last one (or its error code). */
  function play(...steps: ReportVendorAppointment[]): string[] | string {
    let state = fold(vendorAppointmentDecider, [published]);
    let last: readonly VendorSlotStreamEvent[] = [];
    for (const step of steps) {
      try {
        last = vendorAppointmentDecider.decide(step, state);
      } catch (error) {
        if (error instanceof DomainError) return error.code;
        throw error;
      }
      state = fold(vendorAppointmentDecider, last, state);
    }
    return last.map((e) => e.type);
  }
  const after = new Date(start.getTime() + 600_000);

  it('booked books the slot (source vendor); the same report again decides nothing', () => {
    const state = fold(vendorAppointmentDecider, [published]);
    const events = vendorAppointmentDecider.decide(report('booked'), state);
    expect(events.map((e) => e.type)).toEqual(['SlotBooked', 'VendorAppointmentRecorded']);
    expect(events[0]!.data).toMatchObject({ bookingId: appointmentId, source: 'vendor', remainingPlaces: 0 });
    expect(vendorAppointmentDecider.decide(report('booked'), fold(vendorAppointmentDecider, events, state))).toEqual([]);
  });

  it('allows booked → cancelled / fulfilled / noshow and noshow → fulfilled', () => {
    expect(play(report('booked'), report('cancelled'))).toEqual(['BookingCancelled', 'VendorAppointmentRecorded']);
    expect(play(report('booked'), report('fulfilled', after))).toEqual(['AppointmentFulfilled', 'VendorAppointmentRecorded']);
    expect(play(report('booked'), report('noshow', after))).toEqual(['AppointmentNoShow', 'VendorAppointmentRecorded']);
    expect(play(report('booked'), report('noshow', after), report('fulfilled', after))).toEqual(['AppointmentFulfilled', 'VendorAppointmentRecorded']);
  });

  it('refuses impossible changes by name', () => {
    expect(play(report('cancelled'))).toBe('AppointmentMustFirstBeBooked');
    expect(play(report('booked'), report('cancelled'), report('booked'))).toBe('AppointmentStatusCannotChange');
    expect(play(report('booked'), report('fulfilled', after), report('cancelled'))).toBe('AppointmentStatusCannotChange');
    expect(play(report('booked'), report('noshow', after), report('booked'))).toBe('AppointmentStatusCannotChange');
    expect(play(report('booked'), report('noshow'))).toBe('AppointmentHasNotTakenPlaceYet');
    expect(play(report('booked'), { ...report('booked'), appointment: { ...appointment, created: '2027-01-01' }, mode: 'create' })).toBe('AppointmentAlreadyExists');
  });

  it('the slot decider folds a vendor slot stream with its appointment events', () => {
    const state = fold(vendorAppointmentDecider, [published]);
    const events = [published, ...vendorAppointmentDecider.decide(report('booked'), state)];
    const slot = fold(slotDecider, events as never);
    expect(slot).toMatchObject({ status: 'booked', bookingId: appointmentId });
  });
});
