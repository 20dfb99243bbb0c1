/**
 * Checks a vendor's FHIR Appointment (flow INT_R03: FrAppointmentSAS for PS/CPTS, sas-sos-appointment for SOS
 * Médecins) against the guide's profile (shared/reference/sas-interfaces.md §2) and extracts what the platform keeps
 * of it. Lists every problem found, each as an OperationOutcome issue with the FHIRPath of the offending element and
 * a French message; never throws, whatever the input.
 *
 * Rules (profile, then what the platform itself needs):
 * - `resourceType` Appointment (else 400: not the resource this endpoint takes); everything below answers 422;
 * - `meta.profile` names FrAppointmentSAS or sas-sos-appointment;
 * - `identifier` 1..1 with `system` (an `urn:oid:` or an http(s) URL) and `value` (printable, no space, `|`, `,` or
 *   `\`, ≤ 128 characters: it is the key of the conditional updates `identifier=system|value`);
 * - `extension[appointmentOperator]` 1..1: the regulator, type IDNPS (system …4.2.1) or INTRN (system …213.3.6, a UUID);
 * - `status` booked | fulfilled | noshow | cancelled (`pending`, written in an SOS example of the IG, and the other
 *   FHIR statuses are refused as not supported);
 * - `start`, `end` 1..1, FHIR instants with an offset, end after start; `created` a FHIR dateTime when present;
 * - `slot` 1..1 `Slot/<id>` (the platform finds the aggregated slot with it; the guide's example carries it);
 * - one practitioner participant identified by IDNPS (type IDNPS, system …4.2.1, `8`+RPPS with a valid key or
 *   `0`+ADELI), status `accepted`; an SOS appointment may instead name no doctor yet: a participant of type `ADM`
 *   with status `needs-action`.
 * Other participants (the patient) and any other element are ignored: NOTHING of them is kept (see VendorAppointment).
 */
import { isAdeli } from '../../../../shared-kernel/ids/adeli.id.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { isUuid } from '../../../../shared-kernel/ids/uuid.ts';
import { VENDOR_APPOINTMENT_STATUSES, type VendorAppointment, type VendorAppointmentStatus } from '../../domain/vendor-appointment.ts';
import { APPOINTMENT_OPERATOR_EXTENSION, APPOINTMENT_PROFILES, FHIR_INSTANT, IDNPS_SYSTEM, SAS_TECHNICAL_SYSTEM, V2_0203 } from './sas-fhir.ts';

/** An OperationOutcome issue (FHIR R4). */
export interface OperationOutcomeIssue {
  readonly severity: 'fatal' | 'error' | 'warning' | 'information';
  /** IssueType: structure, required, value, invariant, not-supported, business-rule, … */
  readonly code: string;
  readonly diagnostics: string;
  /** FHIRPath of the element in question. */
  readonly expression?: readonly string[];
  /** The platform's stable rule name, as `details.coding[0].code`. */
  readonly details?: { readonly coding: readonly { readonly system: string; readonly code: string }[] };
}

export type AppointmentValidation =
  | { readonly ok: true; readonly appointment: VendorAppointment }
  | { readonly ok: false; readonly status: 400 | 422; readonly issues: readonly OperationOutcomeIssue[] };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const arrayOf = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null);

const OID_SYSTEM = /^urn:oid:[0-2](\.(0|[1-9]\d*))+$/;
const URL_SYSTEM = /^https?:\/\/[^\s|]+$/;
const IDENTIFIER_VALUE = /^[\x21-\x7e]{1,128}$/;
const FORBIDDEN_IN_VALUE = /[|,\\]/;
const OPERATOR_IDNPS_VALUE = /^[0-9A-Za-z/]{1,64}$/;
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const SLOT_REFERENCE = /^(?:https?:\/\/\S+\/)?Slot\/([A-Za-z0-9\-.]{1,64})$/;
/** FHIR Appointment statuses the SAS does not take. */
const OTHER_FHIR_STATUSES = ['proposed', 'pending', 'arrived', 'checked-in', 'waitlist', 'entered-in-error'];

const codesOf = (concept: unknown): { system: unknown; code: unknown }[] =>
  isObject(concept) ? (arrayOf(concept.coding) ?? []).filter(isObject).map((c) => ({ system: c.system, code: c.code })) : [];

const hasV2Type = (identifier: Json, code: string) => codesOf(identifier.type).some((c) => c.system === V2_0203 && c.code === code);

/** Validates `input` as an FrAppointmentSAS / sas-sos-appointment and extracts the patient-free VendorAppointment. */
export function validateAppointment(input: unknown): AppointmentValidation {
  if (!isObject(input)) {
    return { ok: false, status: 400, issues: [issue('structure', 'Le corps doit être une ressource FHIR Appointment (un objet JSON).', 'Appointment', 'NotAResource')] };
  }
  if (input.resourceType !== 'Appointment') {
    return {
      ok: false,
      status: 400,
      issues: [issue('structure', `Ressource attendue : Appointment (reçu : ${typeof input.resourceType === 'string' ? input.resourceType.slice(0, 40) : 'aucun resourceType'}).`, 'resourceType', 'NotAnAppointment')],
    };
  }
  const issues: OperationOutcomeIssue[] = [];
  const fail = (code: string, diagnostics: string, expression: string, rule: string) => void issues.push(issue(code, diagnostics, expression, rule));

  // meta.profile
  const profiles = isObject(input.meta) ? (arrayOf(input.meta.profile) ?? []) : [];
  const profile = profiles.includes(APPOINTMENT_PROFILES.sas) ? 'sas' : profiles.includes(APPOINTMENT_PROFILES.sos) ? 'sos' : null;
  if (profile === null) {
    fail('value', `meta.profile doit contenir ${APPOINTMENT_PROFILES.sas} (ou ${APPOINTMENT_PROFILES.sos} pour SOS Médecins).`, 'Appointment.meta.profile', 'AppointmentProfileIsRequired');
  }

  // identifier 1..1
  let identifier: VendorAppointment['identifier'] | null = null;
  const identifiers = arrayOf(input.identifier);
  if (!identifiers || identifiers.length === 0) {
    fail('required', 'identifier est obligatoire : l’identifiant du rendez-vous chez l’éditeur (system, value).', 'Appointment.identifier', 'AppointmentIdentifierIsRequired');
  } else if (identifiers.length > 1) {
    fail('structure', 'Un seul identifier est attendu (cardinalité 1..1).', 'Appointment.identifier', 'AppointmentHasOneIdentifier');
  } else {
    const id = identifiers[0];
    const system = isObject(id) ? id.system : undefined;
    const value = isObject(id) ? id.value : undefined;
    const systemOk = typeof system === 'string' && system.length <= 256 && (OID_SYSTEM.test(system) || URL_SYSTEM.test(system));
    const valueOk = typeof value === 'string' && IDENTIFIER_VALUE.test(value) && !FORBIDDEN_IN_VALUE.test(value);
    if (!systemOk) fail('value', 'identifier.system doit être l’OID de l’éditeur (urn:oid:…) ou une URL de sa solution.', 'Appointment.identifier[0].system', 'AppointmentIdentifierSystemIsInvalid');
    if (!valueOk) {
      fail('value', 'identifier.value doit être l’identifiant technique du rendez-vous chez l’éditeur (1 à 128 caractères imprimables, sans espace, « | », « , » ni « \\ »).', 'Appointment.identifier[0].value', 'AppointmentIdentifierValueIsInvalid');
    }
    if (systemOk && valueOk) identifier = { system: system as string, value: value as string };
  }

  // extension[appointmentOperator] 1..1
  let operator: VendorAppointment['operator'] | null = null;
  const operators = (arrayOf(input.extension) ?? []).filter((e) => isObject(e) && e.url === APPOINTMENT_OPERATOR_EXTENSION) as Json[];
  if (operators.length !== 1) {
    fail(
      operators.length === 0 ? 'required' : 'structure',
      `L’extension ${APPOINTMENT_OPERATOR_EXTENSION} (le régulateur qui a pris le rendez-vous) est attendue exactement une fois.`,
      'Appointment.extension',
      'AppointmentOperatorIsRequired',
    );
  } else {
    const ref = operators[0]!.valueReference;
    const id = isObject(ref) && isObject(ref.identifier) ? ref.identifier : null;
    const expression = 'Appointment.extension.valueReference.identifier';
    if (!id) {
      fail('required', 'L’extension appointmentOperator porte valueReference.identifier (l’identifiant du régulateur reçu en INT_R02).', expression, 'AppointmentOperatorIsRequired');
    } else if (hasV2Type(id, 'IDNPS') && id.system === IDNPS_SYSTEM && typeof id.value === 'string' && OPERATOR_IDNPS_VALUE.test(id.value)) {
      operator = { type: 'IDNPS', system: IDNPS_SYSTEM, value: id.value };
    } else if (hasV2Type(id, 'INTRN') && id.system === SAS_TECHNICAL_SYSTEM && isUuid(typeof id.value === 'string' ? id.value.toLowerCase() : null)) {
      operator = { type: 'INTRN', system: SAS_TECHNICAL_SYSTEM, value: (id.value as string).toLowerCase() };
    } else {
      fail('value', `Le régulateur s’identifie par IDNPS (type IDNPS, system ${IDNPS_SYSTEM}) ou par son identifiant technique SAS (type INTRN, system ${SAS_TECHNICAL_SYSTEM}, un UUID), type codé dans ${V2_0203}.`, expression, 'AppointmentOperatorIsInvalid');
    }
  }

  // status
  let status: VendorAppointmentStatus | null = null;
  if (!isText(input.status)) {
    fail('required', 'status est obligatoire : booked, fulfilled, noshow ou cancelled.', 'Appointment.status', 'AppointmentStatusIsRequired');
  } else if ((VENDOR_APPOINTMENT_STATUSES as readonly string[]).includes(input.status)) {
    status = input.status as VendorAppointmentStatus;
  } else if (OTHER_FHIR_STATUSES.includes(input.status)) {
    fail('not-supported', `Le statut « ${input.status} » n’est pas pris en charge par le SAS : booked, fulfilled, noshow ou cancelled.`, 'Appointment.status', 'AppointmentStatusIsNotSupported');
  } else {
    fail('value', 'status doit valoir booked, fulfilled, noshow ou cancelled.', 'Appointment.status', 'AppointmentStatusIsInvalid');
  }

  // start, end 1..1; created
  const instant = (name: 'start' | 'end'): string | null => {
    const value = input[name];
    if (value === undefined || value === null) {
      fail('required', `${name} est obligatoire (un instant FHIR avec son décalage horaire, p. ex. 2026-11-23T10:00:00+01:00).`, `Appointment.${name}`, 'AppointmentTimesAreRequired');
      return null;
    }
    if (typeof value !== 'string' || !FHIR_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
      fail('value', `${name} doit être un instant FHIR avec son décalage horaire (p. ex. 2026-11-23T10:00:00+01:00).`, `Appointment.${name}`, 'AppointmentTimesAreInvalid');
      return null;
    }
    return value;
  };
  const start = instant('start');
  const end = instant('end');
  if (start && end && Date.parse(end) <= Date.parse(start)) {
    fail('invariant', 'La fin du rendez-vous (end) doit être après son début (start).', 'Appointment.end', 'AppointmentMustEndAfterItStarts');
  }
  let created: string | null = null;
  if (input.created !== undefined) {
    if (typeof input.created === 'string' && FHIR_DATE_TIME.test(input.created)) created = input.created;
    else fail('value', 'created doit être une date-heure FHIR (p. ex. 2026-11-23T08:12:40+01:00).', 'Appointment.created', 'AppointmentCreatedIsInvalid');
  }

  // slot 1..1
  let fhirSlotId: string | null = null;
  const slots = arrayOf(input.slot);
  if (!slots || slots.length !== 1) {
    fail(slots && slots.length > 1 ? 'structure' : 'required', 'slot doit référencer exactement un créneau de l’éditeur (Slot/<id>), celui qu’il a publié pour le SAS.', 'Appointment.slot', 'AppointmentSlotIsRequired');
  } else {
    const reference = isObject(slots[0]) ? slots[0].reference : undefined;
    const match = typeof reference === 'string' ? SLOT_REFERENCE.exec(reference) : null;
    if (match) fhirSlotId = match[1]!;
    else fail('value', 'slot.reference doit être de la forme Slot/<id> (id FHIR : lettres, chiffres, « - », « . », 64 au plus).', 'Appointment.slot[0].reference', 'AppointmentSlotReferenceIsInvalid');
  }

  // participants: the practitioner (IDNPS); SOS may name no doctor yet (ADM, needs-action). Others (the patient) are ignored.
  let practitioner: VendorAppointment['practitioner'] = null;
  const participants = arrayOf(input.participant);
  if (!participants || participants.length === 0) {
    fail('required', 'participant est obligatoire : le professionnel du rendez-vous, identifié par son IDNPS.', 'Appointment.participant', 'AppointmentPractitionerIsRequired');
  } else {
    const practitioners: number[] = [];
    let pendingDoctor = false;
    for (const [i, p] of participants.entries()) {
      if (!isObject(p)) continue;
      const actor = isObject(p.actor) ? p.actor : null;
      const id = actor && isObject(actor.identifier) ? actor.identifier : null;
      const isPractitioner = (id !== null && id.system === IDNPS_SYSTEM) || (typeof actor?.reference === 'string' && actor.reference.startsWith('Practitioner/'));
      if (isPractitioner) {
        practitioners.push(i);
        const value = id?.value;
        const where = `Appointment.participant[${i}].actor.identifier`;
        if (!id || id.system !== IDNPS_SYSTEM || !hasV2Type(id, 'IDNPS')) {
          fail('value', `Le professionnel s’identifie par son IDNPS : actor.identifier de type IDNPS (${V2_0203}), system ${IDNPS_SYSTEM}.`, where, 'AppointmentPractitionerIsIdentifiedByIdnps');
        } else if (typeof value === 'string' && /^8\d{11}$/.test(value) && isRpps(value.slice(1))) {
          practitioner = { idnps: value, rpps: value.slice(1) };
        } else if (typeof value === 'string' && value.length === 10 && value.startsWith('0') && isAdeli(value.slice(1))) {
          practitioner = { idnps: value, rpps: null };
        } else {
          fail('value', 'L’IDNPS du professionnel est « 8 » suivi de son RPPS (11 chiffres, clé valide) ou « 0 » suivi de son ADELI.', `${where}.value`, 'AppointmentPractitionerIdnpsIsInvalid');
        }
        if (p.status !== 'accepted') {
          fail('value', 'Le statut du professionnel (participant.status) est « accepted » : le SAS ne prend que des rendez-vous acceptés.', `Appointment.participant[${i}].status`, 'AppointmentPractitionerMustAccept');
        }
      } else if ((arrayOf(p.type) ?? []).some((t) => codesOf(t).some((c) => c.code === 'ADM')) && p.status === 'needs-action') {
        pendingDoctor = true;
      }
    }
    if (practitioners.length > 1) {
      fail('structure', 'Un seul professionnel est attendu parmi les participants.', `Appointment.participant[${practitioners[1]}]`, 'AppointmentHasOnePractitioner');
    } else if (practitioners.length === 0 && !(profile === 'sos' && pendingDoctor)) {
      fail(
        'required',
        profile === 'sos'
          ? 'Un participant professionnel (IDNPS) est attendu, ou, tant que le médecin n’est pas connu, un participant de type ADM au statut needs-action.'
          : 'Un participant professionnel est attendu : actor.identifier de type IDNPS (8 + RPPS), statut accepted.',
        'Appointment.participant',
        'AppointmentPractitionerIsRequired',
      );
    }
  }

  if (issues.length > 0 || !profile || !identifier || !operator || !status || !start || !end || !fhirSlotId) {
    return { ok: false, status: 422, issues };
  }
  return { ok: true, appointment: { profile, identifier, operator, status, start, end, created, fhirSlotId, practitioner } };
}

const RULES_SYSTEM = 'https://sas.sante.fr/problems';

function issue(code: string, diagnostics: string, expression: string, rule: string): OperationOutcomeIssue {
  return { severity: 'error', code, diagnostics, expression: [expression], details: { coding: [{ system: RULES_SYSTEM, code: rule }] } };
}
