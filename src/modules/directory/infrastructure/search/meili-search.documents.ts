/**
 * Documents of the Meilisearch search adapter, built from directory and availability events by pure functions
 * (unit-tested without a server; the I/O is in meili-search.projection.ts).
 *
 * Two indexes:
 * - `<prefix>_places`: one searchable document per place of practice (rpps + location), carrying what the search
 *   filters and orders on (filières, specialty, INSEE code, département, `_geo`, name key and its trigrams) and
 *   the practitioner's slots, with their start times precomputed per consultation type so that "has a slot
 *   starting in [from, to) of type T" is ONE range condition on one array field (Meilisearch evaluates `a TO b` per
 *   value of an array; `a >= x AND a < y` would match two different slots).
 * - `<prefix>_practitioners`: one state document per practitioner (identity, open locations, slots, last applied
 *   position). The place documents are derived from it: a slot event rewrites every place of its practitioner,
 *   a location event needs the practitioner's identity and slots. It also makes delivery idempotent: an event at
 *   or below the state's `position` was applied already and is skipped.
 *
 * Semantics mirror the SQL read model (search.projection.ts): a practitioner without identity (never registered,
 * or departed) has no searchable place; a departure drops the locations but keeps the slots; the first
 * publication of a slot id wins until it is withdrawn.
 */
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../../../../shared-kernel/events/envelope.ts';
import { CONSULTATION_TYPES, type AvailabilityIntegrationEvent } from '../../../availability/contracts/availability.events.ts';
import type { DirectoryIntegrationEvent } from '../../contracts/directory.events.ts';
import type { VendorStalenessEvent } from '../../../availability/contracts/vendor-aggregation.events.ts';
import type { ParticipationIntegrationEvent } from '../../../participation/contracts/participation.events.ts';
import type { SearchParticipation } from '../../application/search/search-engine.port.ts';
import type { CommuneGeocoder } from '../geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../filiere-registry.ts';
import { nameKey, SEARCH_EVENT_TYPES, searchablePlace, type SearchablePlace } from './search.projection.ts';

/** Event types the Meilisearch projection listens to (those of the SQL search projection, structures aside). */
export const MEILI_SEARCH_EVENT_TYPES = SEARCH_EVENT_TYPES;

/** A slot as stored in documents: start and end in epoch SECONDS (fractional when the instant has milliseconds). */
export interface SlotDocument {
  readonly slotId: string;
  readonly start: number;
  readonly end: number;
  readonly types: readonly string[];
  readonly source: string;
  /** Places left (absent: 1); a slot with none is not searchable. */
  readonly remaining?: number;
  /** Not confirmed by its vendor for longer than the vendor's stale TTL (VendorSlotsStale): shown, flagged. */
  readonly stale?: boolean;
  readonly bookingMode?: 'end-to-end' | 'phone';
}

export interface PractitionerIdentityState {
  readonly givenName: string;
  readonly familyName: string;
  readonly civility: string | null;
  readonly professionCode: string;
  readonly specialtyCode: string | null;
  readonly specialtyLabel: string | null;
  readonly filieres: readonly string[];
  readonly nameKey: string;
}

/** A place of practice as kept in a state document: what search shows of it (as in the SQL read model). */
export type LocationState = SearchablePlace;

/** The state document of one practitioner (index `<prefix>_practitioners`). */
export interface PractitionerStateDocument {
  readonly id: string;
  readonly rpps: string;
  /** Global position of the last event applied to this practitioner. */
  readonly position: number;
  readonly practitioner: PractitionerIdentityState | null;
  /** Open places of practice, by location id. */
  readonly locations: readonly LocationState[];
  /** Slots published and not withdrawn, by start then id. */
  readonly slots: readonly SlotDocument[];
  /** The declared unavailability (UnavailabilityDeclared): periods in epoch seconds [start, end), and the switch. */
  readonly unavailability?: { readonly periods: readonly (readonly [number, number])[]; readonly indefinite: boolean };
  /** The SAS participation as declared (ParticipationDeclared), absent or null when not a participant. */
  readonly participation?: SearchParticipation | null;
}

/** Name of the precomputed array of slot starts of one consultation type (or of all slots). */
export const slotStartsField = (consultationType?: string) => (consultationType ? `slotStarts_${consultationType}` : 'slotStarts');

/** A searchable place of practice (index `<prefix>_places`). */
export interface PlaceDocument {
  readonly id: string;
  readonly rpps: string;
  readonly locationId: string;
  /** Position of the last event applied to this practitioner (as in its state document). */
  readonly position: number;
  readonly givenName: string;
  readonly familyName: string;
  readonly civility: string | null;
  readonly specialtyCode: string | null;
  readonly specialtyLabel: string | null;
  readonly filieres: readonly string[];
  readonly nameKey: string;
  readonly nameTrigrams: readonly string[];
  readonly structure: string | null;
  readonly streetNumber: string | null;
  readonly streetName: string | null;
  readonly postcode: string | null;
  readonly commune: string | null;
  readonly inseeCode: string | null;
  readonly departement: string | null;
  readonly phone: string | null;
  /** Absent when the commune has no coordinates: such a place is never found by a point search (as in SQL). */
  readonly _geo?: { readonly lat: number; readonly lng: number };
  readonly slots: readonly SlotDocument[];
  readonly participant: boolean;
  readonly acceptsEnSus: boolean;
  readonly sector: string | null;
  readonly participation: SearchParticipation | null;
  /** `slotStarts` (every slot) and `slotStarts_<type>` for each consultation type: slot starts, epoch seconds. */
  readonly [slotStarts: `slotStarts${string}`]: readonly number[];
}

export interface DocumentDeps {
  readonly geocoder: Pick<CommuneGeocoder, 'byInseeCode'>;
  readonly filieres: Pick<FiliereRegistry, 'forProfessional'>;
  /**
   * Slots that ended this long before an event's `occurredAt` are dropped from the documents (they can no longer
   * match a search, which always looks from now on), so a document does not grow with every slot ever published.
   */
  readonly pastSlotRetentionMs?: number;
}

export const DEFAULT_PAST_SLOT_RETENTION_MS = 7 * 24 * 3_600_000;

const SAFE_ID = /^[A-Za-z0-9_-]{1,400}$/;
const hashId = (text: string) => `h${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;

/**
 * Meilisearch document ids allow `[A-Za-z0-9_-]` only. A place is `<rpps>-<locationId>` when both are safe and the
 * RPPS is all digits (so the first `-` separates them unambiguously), else `h` + a hash of both.
 */
export function placeDocumentId(rpps: string, locationId: string): string {
  return /^\d{1,20}$/.test(rpps) && SAFE_ID.test(locationId) ? `${rpps}-${locationId}` : hashId(`${rpps}\u0000${locationId}`);
}

export function stateDocumentId(rpps: string): string {
  return /^\d{1,20}$/.test(rpps) ? rpps : hashId(rpps);
}

/** Which practitioners an event of the search is about (none for another event). */
export function practitionersOf(event: RecordedEvent): readonly string[] {
  const e = event as unknown as DirectoryIntegrationEvent | AvailabilityIntegrationEvent | VendorStalenessEvent | ParticipationIntegrationEvent;
  switch (e.type) {
    case 'PractitionerRegistered':
    case 'PractitionerDetailsChanged':
    case 'PracticeLocationAdded':
    case 'PracticeLocationChanged':
    case 'PracticeLocationClosed':
    case 'PractitionerDeparted':
      return [e.data.rpps];
    case 'SlotPublished':
    case 'SlotWithdrawn':
    case 'SlotChanged':
    case 'SlotBooked':
    case 'BookingCancelled':
    case 'UnavailabilityDeclared':
    case 'ParticipationDeclared':
    case 'ParticipationWithdrawn':
      return [e.data.effecteurId];
    case 'VendorSlotsStale':
    case 'VendorSlotsRefreshed':
      return [...new Set(e.data.effecteurIds)];
    default:
      return [];
  }
}

export function emptyState(rpps: string): PractitionerStateDocument {
  return { id: stateDocumentId(rpps), rpps, position: 0, practitioner: null, locations: [], slots: [] };
}

const toEpochSeconds = (iso: string) => Date.parse(iso) / 1000;
const bySlotOrder = (a: SlotDocument, b: SlotDocument) => a.start - b.start || (a.slotId < b.slotId ? -1 : a.slotId > b.slotId ? 1 : 0);
const byLocationId = (a: LocationState, b: LocationState) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0);

/**
 * Applies events (in position order) to a practitioner's state. Events at or below `state.position` were applied
 * already (at-least-once delivery) and change nothing. Returns the same object when nothing applied.
 */
export function applyEvents(state: PractitionerStateDocument, events: readonly RecordedEvent[], deps: DocumentDeps): PractitionerStateDocument {
  let next = state;
  const retentionS = (deps.pastSlotRetentionMs ?? DEFAULT_PAST_SLOT_RETENTION_MS) / 1000;
  for (const recorded of events) {
    if (recorded.position <= next.position) continue;
    const event = recorded as unknown as DirectoryIntegrationEvent | AvailabilityIntegrationEvent | VendorStalenessEvent | ParticipationIntegrationEvent;
    let { practitioner, locations, slots, unavailability, participation } = next;
    switch (event.type) {
      case 'PractitionerRegistered':
      case 'PractitionerDetailsChanged': {
        const p = event.data;
        practitioner = {
          givenName: p.givenName,
          familyName: p.familyName,
          civility: p.civility,
          professionCode: p.professionCode,
          specialtyCode: p.specialtyCode,
          specialtyLabel: p.specialtyLabel,
          filieres: deps.filieres.forProfessional({ professionCode: p.professionCode, specialtyCode: p.specialtyCode }),
          nameKey: nameKey(`${p.familyName} ${p.givenName}`),
        };
        break;
      }
      case 'PracticeLocationAdded':
      case 'PracticeLocationChanged': {
        const l = event.data;
        const location = searchablePlace(l, deps.geocoder);
        locations = [...locations.filter((x) => x.locationId !== l.locationId), location].sort(byLocationId);
        break;
      }
      case 'PracticeLocationClosed':
        locations = locations.filter((x) => x.locationId !== event.data.locationId);
        break;
      case 'PractitionerDeparted':
        practitioner = null;
        locations = [];
        break;
      case 'SlotPublished': {
        const s = event.data;
        if (!slots.some((x) => x.slotId === s.slotId)) {
          slots = [
            ...slots,
            { slotId: s.slotId, start: toEpochSeconds(s.start), end: toEpochSeconds(s.end), types: [...s.consultationTypes], source: s.source, ...(s.bookingMode ? { bookingMode: s.bookingMode } : {}) },
          ].sort(bySlotOrder);
        }
        break;
      }
      case 'SlotWithdrawn':
        slots = slots.filter((x) => x.slotId !== event.data.slotId);
        break;
      case 'SlotChanged': {
        const s = event.data;
        slots = slots
          .map(({ bookingMode: _previous, ...x }) =>
            x.slotId === s.slotId
              ? { ...x, start: toEpochSeconds(s.start), end: toEpochSeconds(s.end), types: [...s.consultationTypes], source: s.source, ...(s.bookingMode ? { bookingMode: s.bookingMode } : {}) }
              : { ...x, ...(_previous ? { bookingMode: _previous } : {}) },
          )
          .sort(bySlotOrder);
        break;
      }
      case 'SlotBooked':
      case 'BookingCancelled': {
        const { slotId, remainingPlaces } = event.data;
        slots = slots.map((x) => (x.slotId === slotId ? { ...x, remaining: remainingPlaces } : x));
        break;
      }
      case 'VendorSlotsStale':
      case 'VendorSlotsRefreshed': {
        const ids = new Set(event.data.slotIds);
        const stale = event.type === 'VendorSlotsStale';
        slots = slots.map((x) => (ids.has(x.slotId) ? (stale ? { ...x, stale } : (({ stale: _, ...rest }) => rest)(x)) : x));
        break;
      }
      case 'ParticipationDeclared': {
        const d = event.data;
        participation = { mode: d.mode, structureId: d.structureId, acceptsEnSus: d.acceptsEnSus, conventionSector: d.conventionSector };
        break;
      }
      case 'ParticipationWithdrawn':
        participation = null;
        break;
      case 'UnavailabilityDeclared':
        unavailability = {
          periods: event.data.periods.map((p) => [toEpochSeconds(p.start), toEpochSeconds(p.end)] as const),
          indefinite: event.data.indefinite,
        };
        break;
      default:
        continue;
    }
    const occurredAt = Date.parse(recorded.metadata?.occurredAt ?? '');
    if (Number.isFinite(occurredAt)) {
      const horizon = occurredAt / 1000 - retentionS;
      if (slots.some((s) => s.end < horizon)) slots = slots.filter((s) => s.end >= horizon);
    }
    next = {
      ...next,
      position: recorded.position,
      practitioner,
      locations,
      slots,
      ...(unavailability ? { unavailability } : {}),
      ...(participation !== undefined ? { participation } : {}),
    };
  }
  return next;
}

/** Distinct 3-character pieces of each word of a name key (the pre-filter of a name search). */
export function nameTrigrams(key: string): string[] {
  const out = new Set<string>();
  for (const word of key.split(/\s+/)) {
    for (let i = 0; i + 3 <= word.length; i++) out.add(word.slice(i, i + 3));
  }
  return [...out].sort();
}

/** The searchable places of a practitioner: one per open location, none without identity. */
export function placeDocuments(state: PractitionerStateDocument): PlaceDocument[] {
  const p = state.practitioner;
  if (!p) return [];
  const slots = visibleSlots(state);
  const starts: Record<string, number[]> = { [slotStartsField()]: slots.map((s) => s.start) };
  for (const type of CONSULTATION_TYPES) starts[slotStartsField(type)] = slots.filter((s) => s.types.includes(type)).map((s) => s.start);
  const trigrams = nameTrigrams(p.nameKey);
  return state.locations.map((l) => ({
    id: placeDocumentId(state.rpps, l.locationId),
    rpps: state.rpps,
    locationId: l.locationId,
    position: state.position,
    givenName: p.givenName,
    familyName: p.familyName,
    civility: p.civility,
    specialtyCode: p.specialtyCode,
    specialtyLabel: p.specialtyLabel,
    filieres: p.filieres,
    nameKey: p.nameKey,
    nameTrigrams: trigrams,
    structure: l.structure,
    streetNumber: l.streetNumber,
    streetName: l.streetName,
    postcode: l.postcode,
    commune: l.commune,
    inseeCode: l.inseeCode,
    departement: l.departement,
    phone: l.phone,
    ...(l.lat !== null && l.lon !== null ? { _geo: { lat: l.lat, lng: l.lon } } : {}),
    slots,
    participant: Boolean(state.participation),
    acceptsEnSus: state.participation?.acceptsEnSus ?? false,
    sector: state.participation?.conventionSector ?? null,
    participation: state.participation ?? null,
    ...starts,
  }));
}

/** Slots a regulator may see: a place left, not covered by the declared unavailability (as VISIBLE_SLOT in SQL). */
export function visibleSlots(state: PractitionerStateDocument): SlotDocument[] {
  const u = state.unavailability;
  if (u?.indefinite) return [];
  return state.slots.filter((s) => (s.remaining ?? 1) > 0 && !(u?.periods ?? []).some(([from, to]) => s.start < to && from < s.end));
}

/** Place ids a state had that it no longer has: to delete from the places index. */
export function removedPlaceIds(before: PractitionerStateDocument, after: PractitionerStateDocument): string[] {
  const ids = (state: PractitionerStateDocument) => (state.practitioner ? state.locations.map((l) => placeDocumentId(state.rpps, l.locationId)) : []);
  const kept = new Set(ids(after));
  return ids(before).filter((id) => !kept.has(id));
}
