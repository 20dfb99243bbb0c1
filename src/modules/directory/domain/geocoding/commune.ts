import type { GeoPoint } from '../../../../shared-kernel/geo/geo-point.ts';
import type { InseeCommune, Postcode } from '../../../../shared-kernel/ids/insee-commune.id.ts';

export type CommuneKind = 'commune' | 'arrondissement-municipal';

/** A French commune (or a municipal arrondissement of Paris, Lyon, Marseille) as the geocoder knows it. */
export type Commune = {
  readonly inseeCode: InseeCommune;
  readonly name: string;
  /** A commune can have several postcodes; a postcode can cover several communes. */
  readonly postcodes: readonly Postcode[];
  readonly departement: string;
  readonly region: string;
  readonly population: number;
  /**
   * Commune centre (WGS84). Null for the ~100 communes the source has no coordinates for (overseas
   * collectivities outside the DROM, a few communes re-created after 2023).
   */
  readonly point: GeoPoint | null;
  /** True when `point` is the parent city's centre (arrondissements have no centre of their own in the source). */
  readonly pointIsParentCentre: boolean;
  readonly kind: CommuneKind;
  /** For an arrondissement: its city (75056, 69123, 13055). */
  readonly parentInseeCode: InseeCommune | null;
  /** Normalised name (see normalize.ts). */
  readonly key: string;
};

/** How a search candidate was found, from the most to the least certain. */
export type CommuneMatch = 'insee' | 'postcode' | 'exact' | 'parent' | 'prefix' | 'fuzzy';

export type CommuneCandidate = { readonly commune: Commune; readonly score: number; readonly match: CommuneMatch };

export type CommuneResolution = { readonly commune: Commune; readonly precision: 'commune' };
