/**
 * Public integration events of the participation module: an effecteur's participation in the SAS (issue to come:
 * declaring it, its modes, the remuneration that follows). Only the CONTRACT exists for now — the search already
 * reads it (participants first, the "en sus" and sector filters, CPTS cards), so that the module that will emit
 * these events plugs into search without a change there. Stable forever; new shapes come with a new schemaVersion
 * and an upcaster.
 *
 * Stream (for the module to come): `participation.effecteur-<rpps>`.
 */

/** How an effecteur takes part: on its own or through a structure (CPTS, MSP, centre de santé, SOS Médecins). */
export const PARTICIPATION_MODES = ['individual', 'cpts', 'msp', 'centre-de-sante', 'sos-medecins'] as const;
export type ParticipationMode = (typeof PARTICIPATION_MODES)[number];

/** Secteur de conventionnement with the Assurance Maladie: 1, 2 (dépassements), 3 (non conventionné). */
export const CONVENTION_SECTORS = ['1', '2', '3'] as const;
export type ConventionSector = (typeof CONVENTION_SECTORS)[number];

/**
 * The effecteur's participation AS NOW DECLARED (each event replaces the previous declaration).
 * - `structureId`: the structure it participates through (directory structure id), null when `individual`;
 * - `acceptsEnSus`: it accepts patients "en sus" of its published availability (the regulator may orient a patient
 *   to it after a phone call even without a free slot);
 * - `conventionSector`: as the effecteur declares it (null: not given).
 */
export type ParticipationDeclared = {
  readonly type: 'ParticipationDeclared';
  readonly data: {
    readonly effecteurId: string;
    readonly mode: ParticipationMode;
    readonly structureId: string | null;
    readonly acceptsEnSus: boolean;
    readonly conventionSector: ConventionSector | null;
  };
};

/** The effecteur no longer participates in the SAS. */
export type ParticipationWithdrawn = {
  readonly type: 'ParticipationWithdrawn';
  readonly data: { readonly effecteurId: string };
};

export type ParticipationIntegrationEvent = ParticipationDeclared | ParticipationWithdrawn;
export const PARTICIPATION_EVENT_TYPES: readonly ParticipationIntegrationEvent['type'][] = ['ParticipationDeclared', 'ParticipationWithdrawn'];
export const participationStreamName = (effecteurId: string) => `participation.effecteur-${effecteurId}`;
