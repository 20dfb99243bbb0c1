import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { assertNever, conflictError } from '../../../shared-kernel/errors/result.ts';
import type {
  DirectoryIntegrationEvent,
  PracticeLocation,
  PractitionerIdentity,
} from '../contracts/directory.events.ts';

/** A practitioner as one extraction file describes them: identity plus the set of their places of practice. */
export type PractitionerSnapshot = {
  readonly identity: PractitionerIdentity;
  /** Locations with distinct `locationId`s. */
  readonly locations: readonly PracticeLocation[];
};

export type SyncPractitioner = { readonly type: 'SyncPractitioner'; readonly snapshot: PractitionerSnapshot };
export type MarkDeparted = { readonly type: 'MarkDeparted'; readonly rpps: string };
export type PractitionerCommand = SyncPractitioner | MarkDeparted;
export type PractitionerEvent = DirectoryIntegrationEvent;

export type PractitionerState =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'active';
      readonly identity: PractitionerIdentity;
      readonly locations: Readonly<Record<string, PracticeLocation>>;
    }
  | { readonly status: 'departed'; readonly identity: PractitionerIdentity };

const IDENTITY_FIELDS = [
  'rpps',
  'nationalId',
  'civility',
  'givenName',
  'familyName',
  'professionCode',
  'professionLabel',
  'specialtyCode',
  'specialtyLabel',
] as const satisfies readonly (keyof PractitionerIdentity)[];

const LOCATION_FIELDS = [
  'locationId',
  'structureName',
  'siret',
  'finessSite',
  'streetNumber',
  'streetName',
  'postcode',
  'communeName',
  'inseeCode',
  'phone',
  'modeExercice',
  'secteurActivite',
] as const satisfies readonly (keyof PracticeLocation)[];

/** Copies only the known fields, so that events never carry stray properties of the caller's objects. */
export const identityOf = (i: PractitionerIdentity): PractitionerIdentity =>
  Object.fromEntries(IDENTITY_FIELDS.map((k) => [k, i[k]])) as unknown as PractitionerIdentity;
export const locationOf = (l: PracticeLocation): PracticeLocation => {
  const fields = Object.fromEntries(LOCATION_FIELDS.map((k) => [k, l[k]])) as unknown as PracticeLocation;
  // The street-level position only when the source geocoded the place (optional field of the event).
  return l.geo ? { ...fields, geo: { lat: l.geo.lat, lon: l.geo.lon } } : fields;
};

export const sameIdentity = (a: PractitionerIdentity, b: PractitionerIdentity): boolean => IDENTITY_FIELDS.every((k) => a[k] === b[k]);
export const sameLocation = (a: PracticeLocation, b: PracticeLocation): boolean =>
  LOCATION_FIELDS.every((k) => a[k] === b[k]) && (a.geo ?? null)?.lat === (b.geo ?? null)?.lat && (a.geo ?? null)?.lon === (b.geo ?? null)?.lon;

function decideSync({ snapshot }: SyncPractitioner, state: PractitionerState): PractitionerEvent[] {
  const identity = identityOf(snapshot.identity);
  const rpps = identity.rpps;
  if (state.status !== 'unknown' && state.identity.rpps !== rpps) {
    throw conflictError('PractitionerRppsMismatch', `Le flux du praticien ${state.identity.rpps} ne peut recevoir ${rpps}.`);
  }
  const seen = new Set<string>();
  for (const location of snapshot.locations) {
    if (seen.has(location.locationId)) {
      throw conflictError('DuplicatePracticeLocation', `Lieu d'exercice ${location.locationId} en double pour ${rpps}.`);
    }
    seen.add(location.locationId);
  }
  if (state.status !== 'active') {
    // First seen, or back after a departure: registered again with all their locations.
    return [
      { type: 'PractitionerRegistered', data: identity },
      ...snapshot.locations.map((l): PractitionerEvent => ({ type: 'PracticeLocationAdded', data: { rpps, ...locationOf(l) } })),
    ];
  }
  const events: PractitionerEvent[] = [];
  if (!sameIdentity(state.identity, identity)) events.push({ type: 'PractitionerDetailsChanged', data: identity });
  for (const location of snapshot.locations) {
    const current = state.locations[location.locationId];
    if (!current) events.push({ type: 'PracticeLocationAdded', data: { rpps, ...locationOf(location) } });
    else if (!sameLocation(current, location)) events.push({ type: 'PracticeLocationChanged', data: { rpps, ...locationOf(location) } });
  }
  for (const locationId of Object.keys(state.locations)) {
    if (!seen.has(locationId)) events.push({ type: 'PracticeLocationClosed', data: { rpps, locationId } });
  }
  return events;
}

const withoutRpps = (data: PracticeLocation & { readonly rpps: string }): PracticeLocation => locationOf(data);

/**
 * A practitioner of the directory, synchronised from the RPPS extraction: `SyncPractitioner` compares the file's
 * snapshot with the state and emits only the differences (nothing when identical, so a re-import is a no-op);
 * `MarkDeparted` retires a practitioner absent from a newer full extraction.
 */
export const practitionerDecider: Decider<PractitionerCommand, PractitionerEvent, PractitionerState> = {
  initialState: () => ({ status: 'unknown' }),
  decide(command, state) {
    switch (command.type) {
      case 'SyncPractitioner':
        return decideSync(command, state);
      case 'MarkDeparted':
        return state.status === 'active' ? [{ type: 'PractitionerDeparted', data: { rpps: state.identity.rpps } }] : [];
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PractitionerRegistered':
        return { status: 'active', identity: identityOf(event.data), locations: {} };
      case 'PractitionerDetailsChanged':
        return state.status === 'active' ? { ...state, identity: identityOf(event.data) } : state;
      case 'PracticeLocationAdded':
      case 'PracticeLocationChanged':
        return state.status === 'active'
          ? { ...state, locations: { ...state.locations, [event.data.locationId]: withoutRpps(event.data) } }
          : state;
      case 'PracticeLocationClosed': {
        if (state.status !== 'active') return state;
        const { [event.data.locationId]: _closed, ...locations } = state.locations;
        return { ...state, locations };
      }
      case 'PractitionerDeparted':
        return state.status === 'active' ? { status: 'departed', identity: state.identity } : state;
      default:
        return assertNever(event, 'event');
    }
  },
};
