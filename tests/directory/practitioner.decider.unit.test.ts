import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import type { PracticeLocation, PractitionerIdentity } from '../../src/modules/directory/contracts/directory.events.ts';
import { practitionerDecider, type PractitionerSnapshot, type PractitionerState } from '../../src/modules/directory/domain/practitioner.decider.ts';

const RPPS = '10991003103';
const small = fc.constantFrom('A', 'B');
const maybe = fc.option(small, { nil: null });

const identity: fc.Arbitrary<PractitionerIdentity> = fc.record({
  rpps: fc.constant(RPPS),
  nationalId: fc.constant(`8${RPPS}`),
  civility: maybe,
  givenName: small,
  familyName: small,
  professionCode: fc.constantFrom('10', '50'),
  professionLabel: small,
  specialtyCode: maybe,
  specialtyLabel: maybe,
});

const location: fc.Arbitrary<PracticeLocation> = fc.record({
  locationId: fc.constantFrom('l1', 'l2', 'l3', 'l4'),
  structureName: small,
  siret: maybe,
  finessSite: maybe,
  streetNumber: maybe,
  streetName: maybe,
  postcode: maybe,
  communeName: maybe,
  inseeCode: maybe,
  phone: maybe,
  modeExercice: maybe,
  secteurActivite: maybe,
  // A street-level position when the source geocoded the place (optional field).
  geo: fc.option(fc.constantFrom({ lat: 43.6045, lon: 1.4442 }, { lat: 43.61, lon: 1.45 }), { nil: undefined }),
});

const snapshot: fc.Arbitrary<PractitionerSnapshot> = fc.record({
  identity,
  locations: fc.uniqueArray(location, { selector: (l) => l.locationId, maxLength: 4 }),
});

const sync = (s: PractitionerSnapshot) => ({ type: 'SyncPractitioner', snapshot: s }) as const;

function run(state: PractitionerState, command: Parameters<typeof practitionerDecider.decide>[0]) {
  const events = practitionerDecider.decide(command, state);
  return { events, state: fold(practitionerDecider, events, state) };
}

const expectedState = (s: PractitionerSnapshot): PractitionerState => ({
  status: 'active',
  identity: s.identity,
  locations: Object.fromEntries(s.locations.map((l) => [l.locationId, l])),
});

describe('practitioner decider', () => {
  it('syncing the same snapshot twice yields no events the second time', () => {
    fc.assert(
      fc.property(fc.array(snapshot, { maxLength: 3 }), snapshot, (before, s) => {
        let state = practitionerDecider.initialState();
        for (const b of before) state = run(state, sync(b)).state;
        const first = run(state, sync(s));
        expect(practitionerDecider.decide(sync(s), first.state)).toEqual([]);
      }),
    );
  });

  it('any sequence of snapshots (with departures) folds to a state equal to the last snapshot', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(snapshot, fc.constant('depart' as const)), { maxLength: 6 }), snapshot, (steps, last) => {
        let state = practitionerDecider.initialState();
        for (const step of steps) state = run(state, step === 'depart' ? { type: 'MarkDeparted', rpps: RPPS } : sync(step)).state;
        state = run(state, sync(last)).state;
        expect(state).toEqual(expectedState(last));
      }),
    );
  });

  it('emits only the differences', () => {
    fc.assert(
      fc.property(snapshot, snapshot, (a, b) => {
        const { state } = run(practitionerDecider.initialState(), sync(a));
        const events = practitionerDecider.decide(sync(b), state);
        const types = events.map((e) => e.type);
        expect(types.includes('PractitionerDetailsChanged')).toBe(JSON.stringify(a.identity) !== JSON.stringify(b.identity));
        const before = new Set(a.locations.map((l) => l.locationId));
        const after = new Set(b.locations.map((l) => l.locationId));
        expect(types.filter((t) => t === 'PracticeLocationAdded').length).toBe([...after].filter((id) => !before.has(id)).length);
        expect(types.filter((t) => t === 'PracticeLocationClosed').length).toBe([...before].filter((id) => !after.has(id)).length);
        expect(types).not.toContain('PractitionerRegistered');
      }),
    );
  });

  it('registers a new practitioner with all their locations, departs once, and comes back registered', () => {
    const s: PractitionerSnapshot = {
      identity: { rpps: RPPS, nationalId: `8${RPPS}`, civility: 'DR', givenName: 'CAMILLE', familyName: 'AUBRELAC', professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM54', specialtyLabel: 'Médecine générale' },
      locations: [
        { locationId: 'l1', structureName: 'CABINET', siret: null, finessSite: null, streetNumber: '18', streetName: 'Avenue X', postcode: '31400', communeName: 'Toulouse', inseeCode: '31555', phone: null, modeExercice: 'L', secteurActivite: 'SA07' },
      ],
    };
    const first = run(practitionerDecider.initialState(), sync(s));
    expect(first.events.map((e) => e.type)).toEqual(['PractitionerRegistered', 'PracticeLocationAdded']);
    const departed = run(first.state, { type: 'MarkDeparted', rpps: RPPS });
    expect(departed.events).toEqual([{ type: 'PractitionerDeparted', data: { rpps: RPPS } }]);
    expect(practitionerDecider.decide({ type: 'MarkDeparted', rpps: RPPS }, departed.state)).toEqual([]);
    expect(practitionerDecider.decide({ type: 'MarkDeparted', rpps: RPPS }, practitionerDecider.initialState())).toEqual([]);
    expect(run(departed.state, sync(s)).events.map((e) => e.type)).toEqual(['PractitionerRegistered', 'PracticeLocationAdded']);
  });

  it('refuses a snapshot of another practitioner and duplicate location ids', () => {
    const base = fc.sample(snapshot, 1)[0]!;
    const { state } = run(practitionerDecider.initialState(), sync(base));
    const other = { ...base, identity: { ...base.identity, rpps: '10991004473' } };
    expect(() => practitionerDecider.decide(sync(other), state)).toThrow(/10991004473/);
    const loc = fc.sample(location, 1)[0]!;
    expect(() => practitionerDecider.decide(sync({ ...base, locations: [loc, loc] }), state)).toThrow(/double/);
  });
});
