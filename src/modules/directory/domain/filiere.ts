/**
 * A filière (care pathway offered to the regulator: "médecine générale", "chirurgiens-dentistes"…) is pure
 * data: which professions (TRE_G15) and specialties (TRE_R38) it covers, how consultations happen and the
 * default search radius. Adding a filière is adding one definition file in `filieres/` — no code change.
 */

import type { StructureKind } from '../contracts/directory.events.ts';

export const CONSULTATION_TYPES = ['cabinet', 'teleconsultation', 'domicile'] as const;
export type ConsultationType = (typeof CONSULTATION_TYPES)[number];

export type Filiere = {
  readonly id: string;
  readonly label: string;
  /** TRE_G15 profession codes ("10" médecin, "40" chirurgien-dentiste…). */
  readonly professions: readonly string[];
  /** TRE_R38 specialty codes; empty = any specialty (or none) of the professions. */
  readonly specialties: readonly string[];
  readonly consultationTypes: readonly ConsultationType[];
  readonly defaultRadiusKm: number;
  /**
   * Kinds of structures that offer the filière's consultations themselves, with slots published under the
   * structure's SIRET (SOS Médecins associations for médecine générale): such a structure has its own search card.
   */
  readonly structureKinds?: readonly StructureKind[];
  /** The filière used when the search names none (exactly one). */
  readonly default?: boolean;
};

export type ProfessionalQualification = { readonly professionCode: string; readonly specialtyCode?: string | null };

/** Whether a professional with this profession and specialty belongs to the filière. */
export function filiereCovers(filiere: Filiere, who: ProfessionalQualification): boolean {
  if (!filiere.professions.includes(who.professionCode)) return false;
  if (filiere.specialties.length === 0) return true;
  return who.specialtyCode != null && filiere.specialties.includes(who.specialtyCode);
}
