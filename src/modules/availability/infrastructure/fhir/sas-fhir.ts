/**
 * Identifiers, code systems and profile URLs of the ANS FHIR implementation guide for the SAS (IG 1.2.0, FHIR
 * 4.0.1) that vendor exchanges use: slot searches (INT_R01 PS individuel, INT_R04 CPTS, SOS Médecins),
 * appointments (FrAppointmentSAS) and regulator accounts (FrPractitionerRegul). See
 * `shared/reference/sas-interfaces.md` §1–3 and §10.
 */

/** IDNPS: national id of a professional, `8`+RPPS or `0`+ADELI. */
export const IDNPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
/** IDNST: national id of a structure, `1`+FINESS, `3`+SIRET, `4`+RPPS rang, `0`+ADELI rang. */
export const IDNST_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.2';
/** SAS technical ids (regulators without national id; `meta.source` of FrPractitionerRegul). */
export const SAS_TECHNICAL_SYSTEM = 'urn:oid:1.2.250.1.213.3.6';
export const V2_0203 = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203';
export const LOCATION_IDENTIFIER_TYPE = 'http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type';
export const TRE_R314_TYPE_CRENEAU = 'https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau';
export const TRE_R38_SPECIALITE = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
export const TRE_R66_CATEGORIE_ETABLISSEMENT = 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement';
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const V2_0276 = 'http://terminology.hl7.org/CodeSystem/v2-0276';
/** R5-style extension on Slot.serviceType pointing at the CPTS's HealthcareService. */
export const SLOT_SERVICE_TYPE_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType';
export const APPOINTMENT_OPERATOR_EXTENSION = 'http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator';
/** TRE_R66 code of a CPTS (also the serviceType entry of a CPTS slot). */
export const CPTS_CATEGORY = '604';

const SAS = 'http://sas.fr/fhir/StructureDefinition/';
const IG = 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/';

/** meta.profile of every resource, by search flavour (the IG mixes two canonical bases). */
export const PROFILES = {
  ps: {
    Bundle: `${SAS}BundleAgregateur`,
    Slot: `${SAS}FrSlotAgregateur`,
    Schedule: `${SAS}FrScheduleAgregateur`,
    Practitioner: `${SAS}FrPractitionerAgregateur`,
    PractitionerRole: `${SAS}FrPractitionerRoleExerciceAgregateur`,
    Location: `${SAS}FrLocationAgregateur`,
  },
  cpts: {
    Bundle: `${IG}sas-cpts-bundle-aggregator`,
    Slot: `${IG}sas-cpts-slot-aggregator`,
    Schedule: `${SAS}FrScheduleAgregateur`,
    Practitioner: `${SAS}FrPractitionerAgregateur`,
    PractitionerRole: `${SAS}FrPractitionerRoleExerciceAgregateur`,
    Location: `${SAS}FrLocationAgregateur`,
    HealthcareService: `${IG}sas-cpts-healthcareservice-aggregator`,
    Organization: `${IG}sas-cpts-organization-aggregator`,
  },
  sos: {
    Bundle: `${IG}sas-sos-bundle-aggregator`,
    Slot: `${IG}sas-sos-slot-aggregator`,
    Schedule: `${IG}sas-sos-schedule-aggregator`,
    Location: `${IG}sas-sos-location-aggregator`,
    Organization: `${IG}sas-sos-organization-aggregator`,
  },
} as const;

export const APPOINTMENT_PROFILES = {
  sas: `${SAS}FrAppointmentSAS`,
  sos: `${IG}sas-sos-appointment`,
} as const;

/** The three slot searches of the guide. */
export type SearchFlavour = keyof typeof PROFILES;

/** TRE_R314 audiences a slot can carry (combinable). SOS slots use only PUBLIC and SNP. */
export const SLOT_AUDIENCES = ['PUBLIC', 'PRO', 'SNP', 'CPTS'] as const;
export type SlotAudience = (typeof SLOT_AUDIENCES)[number];
export const AUDIENCES_BY_FLAVOUR: Record<SearchFlavour, readonly SlotAudience[]> = {
  ps: ['PUBLIC', 'PRO', 'SNP'],
  cpts: ['PUBLIC', 'PRO', 'SNP', 'CPTS'],
  sos: ['PUBLIC', 'SNP'],
};

/**
 * Whether the SAS shows a slot to its regulators: open to the public (PUBLIC) or reserved to regulators and OSNP
 * (SNP). A slot reserved to health professionals (PRO only) or to a CPTS (CPTS only) is not for the SAS.
 * The guide has no "patientèle only" marker; a vendor simply does not send such slots.
 */
export const isShownBySas = (audiences: readonly string[]): boolean => audiences.includes('PUBLIC') || audiences.includes('SNP');

/** v3-ActCode consultation types the SAS handles, and the platform's names for them. */
export const CONSULTATION_CODES = { AMB: 'cabinet', VR: 'teleconsultation', HH: 'domicile' } as const;
export type ConsultationCode = keyof typeof CONSULTATION_CODES;

/** Date-time as the guide writes them: seconds, optional fraction, an explicit offset. */
export const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Minimal shapes of the FHIR resources read and written here (JSON, never trusted when read). */
export interface FhirCoding { readonly system?: string; readonly code?: string; readonly display?: string }
export interface FhirCodeableConcept { readonly coding?: readonly FhirCoding[]; readonly text?: string }
export interface FhirReference { readonly reference?: string; readonly identifier?: FhirIdentifier }
export interface FhirIdentifier { readonly type?: FhirCodeableConcept; readonly system?: string; readonly value?: string }
export interface FhirResource { readonly resourceType: string; readonly id?: string; readonly [key: string]: unknown }
export interface BundleEntry { readonly fullUrl?: string; readonly resource?: FhirResource; readonly search?: { readonly mode?: string } }
export interface Bundle {
  readonly resourceType: 'Bundle';
  readonly id?: string;
  readonly meta?: { readonly profile?: readonly string[]; readonly lastUpdated?: string };
  readonly type: string;
  readonly total?: number;
  readonly link?: readonly { readonly relation: string; readonly url: string }[];
  readonly entry?: readonly BundleEntry[];
}

/** An OperationOutcome, the body of every FHIR error answer. */
export function operationOutcome(code: string, diagnostics: string, severity: 'error' | 'fatal' = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] } as const;
}
