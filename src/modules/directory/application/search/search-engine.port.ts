/**
 * The search engine port: what the regulators' search asks of a search engine, whatever holds the documents
 * (the SQL read model on PostgreSQL/PGlite, or Meilisearch). Every adapter passes the same contract suite
 * (tests/contracts/search-engine.contract.ts).
 */
import type { StructureKind } from '../../contracts/directory.events.ts';
import type { ConventionSector, ParticipationMode } from '../../../participation/contracts/participation.events.ts';

export interface SearchQuery {
  readonly filiere: string;
  readonly specialty?: string;
  readonly place:
    | { readonly kind: 'point'; readonly lat: number; readonly lon: number; readonly radiusKm: number }
    | { readonly kind: 'commune'; readonly inseeCode: string }
    | { readonly kind: 'departement'; readonly departement: string }
    /** The members of one structure ("voir tous les professionnels de la CPTS"), ordered as a zone. */
    | { readonly kind: 'structure'; readonly structureId: string };
  /** Only practitioners who are members of a structure of this kind (CPTS, MSP, centre de santé, SOS Médecins). */
  readonly structureKind?: StructureKind;
  /** Only SAS participants who accept patients "en sus" of their availability. */
  readonly acceptsEnSus?: boolean;
  /** Only practitioners of this secteur de conventionnement (as declared with their participation). */
  readonly conventionSector?: ConventionSector;
  /** Slots starting in [from, to) are shown; with `onlyAvailable`, practitioners without one are left out. */
  readonly from: Date;
  readonly to: Date;
  readonly onlyAvailable: boolean;
  readonly consultationType?: 'cabinet' | 'teleconsultation' | 'domicile';
  readonly name?: string;
  /** RPPS of the patient's médecin traitant: shown first. */
  readonly treatingRpps?: string;
  /** Seed of the stable random order of a zone search. */
  readonly seed: string;
  readonly offset: number;
  readonly limit: number;
}

export interface SearchSlot {
  readonly slotId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: readonly string[];
  readonly source: string;
  /** A vendor slot its vendor has not confirmed for longer than its stale TTL: "disponibilité non confirmée". */
  readonly stale?: boolean;
  /** A vendor slot: booked on the vendor's page (`end-to-end`, GET /api/slots/{id}/vendor-booking) or by phone. */
  readonly bookingMode?: 'end-to-end' | 'phone';
}

export interface SearchCard {
  /** The practitioner's RPPS; on the card of a structure offering the filière itself (`effecteurStructure`), its SIRET. */
  readonly rpps: string;
  readonly locationId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly civility: string | null;
  readonly specialty: string | null;
  readonly address: { readonly streetNumber: string | null; readonly streetName: string | null; readonly postcode: string | null; readonly commune: string | null; readonly inseeCode: string | null };
  readonly structure: string | null;
  readonly phone: string | null;
  /** Open structures the practitioner is a member of (kind, then name): a CPTS groups its members' cards. */
  readonly structures: readonly SearchStructure[];
  /** The practitioner's SAS participation as declared, null when not a participant. */
  readonly participation: SearchParticipation | null;
  /**
   * Set on the card of a structure that offers the filière itself (an SOS Médecins association, its slots published
   * under its SIRET): the structure; null on a practitioner's card. Such a card has no names.
   */
  readonly effecteurStructure: SearchStructure | null;
  readonly distanceKm: number | null;
  readonly group: 'medecin-traitant' | 'with-slots' | 'without-slots';
  readonly slots: readonly SearchSlot[];
}

export interface SearchStructure {
  readonly structureId: string;
  readonly kind: StructureKind;
  readonly name: string;
  /** The structure's phone (a CPTS's point of contact for regulation). */
  readonly phone: string | null;
}

export interface SearchParticipation {
  readonly mode: ParticipationMode;
  /** The structure it participates through (a CPTS's members participating through it are grouped under its card). */
  readonly structureId: string | null;
  readonly acceptsEnSus: boolean;
  readonly conventionSector: ConventionSector | null;
}

export interface SearchEngine {
  readonly name: string;
  search(query: SearchQuery): Promise<SearchCard[]>;
}
