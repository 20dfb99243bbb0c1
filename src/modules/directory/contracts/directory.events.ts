/**
 * Public integration events of the directory module, imported from the public RPPS extraction
 * (`PS_LibreAcces_Personne_activite`, Annuaire Santé, Licence Ouverte).
 *
 * These are PROFESSIONAL data from a public register (who practises what, where, and the phone number of the
 * place of practice). They are never patient data: no patient ever appears in a directory stream.
 *
 * One stream per practitioner: `directory.practitioner-<rpps>`. Stable forever; new shapes come with a new
 * schemaVersion and an upcaster.
 */

/** Identity of a practitioner as the register publishes it. */
export type PractitionerIdentity = {
  /** RPPS number, 11 digits, Luhn key last. */
  readonly rpps: string;
  /** IDNPS: `8` + RPPS. */
  readonly nationalId: string;
  /** Civilité d'exercice code (TRE_R11: DR, PR…); null when the register gives none (often midwives). */
  readonly civility: string | null;
  readonly givenName: string;
  readonly familyName: string;
  /** TRE_G15 code (10 médecin, 40 chirurgien-dentiste, 50 sage-femme…). */
  readonly professionCode: string;
  readonly professionLabel: string;
  /** TRE_R38 savoir-faire code (SM54…) when the register gives one, else null. */
  readonly specialtyCode: string | null;
  readonly specialtyLabel: string | null;
};

/** One place of practice of a practitioner (one activity line of the extraction). */
export type PracticeLocation = {
  /**
   * Stable id of the activity, unique within the practitioner: a hash of the structure's technical id
   * (`Identifiant technique de la structure`), or, without one, of the SIRET/FINESS site and the address.
   */
  readonly locationId: string;
  readonly structureName: string;
  readonly siret: string | null;
  readonly finessSite: string | null;
  /** Street number with its repetition index (`18`, `18 B`), null when absent. */
  readonly streetNumber: string | null;
  /** Street type label and street name (`Avenue DU GENERAL LECLERC`), null when absent. */
  readonly streetName: string | null;
  readonly postcode: string | null;
  readonly communeName: string | null;
  /** INSEE commune code (municipal arrondissement codes for Paris, Lyon, Marseille). */
  readonly inseeCode: string | null;
  /** Phone of the place of practice (professional data), null when absent. */
  readonly phone: string | null;
  /** TRE_R23: L libéral, S salarié, B bénévole; null when absent. */
  readonly modeExercice: string | null;
  /** TRE_R02 secteur d'activité (SA07…); null when absent. */
  readonly secteurActivite: string | null;
  /**
   * The place's position at street level (WGS 84), when its address was geocoded (Base Adresse Nationale).
   * Absent or null: the commune's centre stands in (the RPPS extraction carries no coordinates). Optional
   * field added after the first version: older events simply lack it.
   */
  readonly geo?: { readonly lat: number; readonly lon: number } | null;
};

export type PractitionerRegistered = { readonly type: 'PractitionerRegistered'; readonly data: PractitionerIdentity };
/** Emitted only when at least one identity field changed; carries the whole new identity. */
export type PractitionerDetailsChanged = { readonly type: 'PractitionerDetailsChanged'; readonly data: PractitionerIdentity };
export type PracticeLocationAdded = {
  readonly type: 'PracticeLocationAdded';
  readonly data: PracticeLocation & { readonly rpps: string };
};
/** Emitted only when at least one field of the location changed; carries the whole new location. */
export type PracticeLocationChanged = {
  readonly type: 'PracticeLocationChanged';
  readonly data: PracticeLocation & { readonly rpps: string };
};
export type PracticeLocationClosed = {
  readonly type: 'PracticeLocationClosed';
  readonly data: { readonly rpps: string; readonly locationId: string };
};
/** The practitioner is absent from a newer full extraction; all their locations are closed with them. */
export type PractitionerDeparted = { readonly type: 'PractitionerDeparted'; readonly data: { readonly rpps: string } };

export type DirectoryIntegrationEvent =
  | PractitionerRegistered
  | PractitionerDetailsChanged
  | PracticeLocationAdded
  | PracticeLocationChanged
  | PracticeLocationClosed
  | PractitionerDeparted;

export const DIRECTORY_EVENT_TYPES: readonly DirectoryIntegrationEvent['type'][] = [
  'PractitionerRegistered',
  'PractitionerDetailsChanged',
  'PracticeLocationAdded',
  'PracticeLocationChanged',
  'PracticeLocationClosed',
  'PractitionerDeparted',
];

export const PRACTITIONER_STREAM_PREFIX = 'directory.practitioner-';
export const practitionerStreamName = (rpps: string) => `${PRACTITIONER_STREAM_PREFIX}${rpps}`;

/*
 * ─── Structures ────────────────────────────────────────────────────────────────────────────────────────────
 * Care structures of the directory: CPTS, maisons de santé pluriprofessionnelles, centres de santé and SOS
 * Médecins associations, imported from the public FINESS extraction or created on the platform itself.
 * A structure's address and phone are PROFESSIONAL data (an establishment's), never a person's.
 *
 * One stream per structure: `directory.structure-<structureId>`, where structureId is `finess-<FINESS ET number>`
 * for a structure of the FINESS extraction and a UUID for one created on the platform. Members are practitioners
 * by RPPS; closing a structure ends all its memberships (no `StructureMemberLeft` is emitted for them).
 */

export const STRUCTURE_KINDS = ['cpts', 'msp', 'centre-de-sante', 'sos-medecins'] as const;
/** cpts: FINESS 604; msp: maison de santé (L.6223-3), FINESS 603; centre-de-sante: FINESS 124 (and retired 125, 130, 439); sos-medecins: platform only. */
export type StructureKind = (typeof STRUCTURE_KINDS)[number];
export type StructureSource = 'finess' | 'platform';

/** Where a structure is: its professional address. */
export type StructureAddress = {
  /** INSEE commune code (current COG code; municipal arrondissement for Paris, Lyon, Marseille when known). */
  readonly inseeCode: string;
  readonly postcode: string | null;
  /** Street line (`900 RTE DE PARIS`, `ZAC CHAMPIGNY BP 71`), null when the source gives none. */
  readonly street: string | null;
};

export type StructureDetails = {
  readonly structureId: string;
  readonly kind: StructureKind;
  /** FINESS ET (établissement géographique) number, 9 characters; null for a structure created on the platform. */
  readonly finess: string | null;
  /** TRE_R66 category code of the FINESS establishment (`604`, `603`, `124`…); null for a platform structure. */
  readonly finessCategory: string | null;
  /**
   * SIRET of the establishment (14 digits), null when unknown. For an SOS Médecins association it is the
   * identifier its vendor publishes slots under (`SlotPublished.effecteurId`): search shows those slots on the
   * association's card. Absent from events written before it existed (read as null).
   */
  readonly siret?: string | null;
  readonly name: string;
  readonly address: StructureAddress;
  /** Phone of the structure, 10 digits, null when absent. */
  readonly phone: string | null;
  readonly source: StructureSource;
};

/** A structure appears (or reappears in a newer FINESS extraction after being closed): it has no members yet. */
export type StructureRegistered = { readonly type: 'StructureRegistered'; readonly data: StructureDetails };
/** Emitted only when at least one field changed; carries the whole new details. */
export type StructureDetailsChanged = { readonly type: 'StructureDetailsChanged'; readonly data: StructureDetails };
export type StructureClosureReason = 'absent-from-finess-extract' | 'closed-on-platform';
/** The structure is closed: all its memberships end with it. */
export type StructureClosed = {
  readonly type: 'StructureClosed';
  readonly data: { readonly structureId: string; readonly reason: StructureClosureReason };
};
/** A practitioner (by RPPS) joins the structure. */
export type StructureMemberJoined = {
  readonly type: 'StructureMemberJoined';
  readonly data: { readonly structureId: string; readonly rpps: string };
};
export type StructureMemberLeft = {
  readonly type: 'StructureMemberLeft';
  readonly data: { readonly structureId: string; readonly rpps: string };
};
/** A platform account (by account id) becomes a manager (gestionnaire) of the structure. */
export type StructureManagerAssigned = {
  readonly type: 'StructureManagerAssigned';
  readonly data: { readonly structureId: string; readonly accountId: string };
};

export type StructureIntegrationEvent =
  | StructureRegistered
  | StructureDetailsChanged
  | StructureClosed
  | StructureMemberJoined
  | StructureMemberLeft
  | StructureManagerAssigned;

export const STRUCTURE_EVENT_TYPES: readonly StructureIntegrationEvent['type'][] = [
  'StructureRegistered',
  'StructureDetailsChanged',
  'StructureClosed',
  'StructureMemberJoined',
  'StructureMemberLeft',
  'StructureManagerAssigned',
];

export const STRUCTURE_STREAM_PREFIX = 'directory.structure-';
export const structureStreamName = (structureId: string) => `${STRUCTURE_STREAM_PREFIX}${structureId}`;
/** Id of the structure of FINESS establishment `finessEt`. */
export const finessStructureId = (finessEt: string) => `finess-${finessEt}`;
