/**
 * The Meilisearch adapter without a server: filter strings, geo sort, ranking, cards, the documents built from
 * events, index settings, and how the configuration selects the engine.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SearchQuery } from '../../src/modules/directory/application/search/search-engine.port.ts';
import {
  baseFilters,
  cardOf,
  earthDistanceM,
  filterExpression,
  filterValue,
  geoPointSort,
  geoRadiusFilter,
  groupSearches,
  rankCandidates,
  seededKey,
  slotFilter,
  type Candidate,
} from '../../src/modules/directory/infrastructure/search/meili-search-engine.ts';
import {
  applyEvents,
  emptyState,
  nameTrigrams,
  placeDocumentId,
  placeDocuments,
  practitionersOf,
  removedPlaceIds,
  stateDocumentId,
  type DocumentDeps,
} from '../../src/modules/directory/infrastructure/search/meili-search.documents.ts';
import { indexNames, PLACES_SETTINGS, settingsUpToDate } from '../../src/modules/directory/infrastructure/search/meili-search.indexes.ts';
import { MEILI_SEARCH_PROJECTION } from '../../src/modules/directory/infrastructure/search/meili-search.projection.ts';
import { searchEngineFor, searchProjectionsFor } from '../../src/modules/directory/infrastructure/search/search-engine.selection.ts';
import { SEARCH_PROJECTION } from '../../src/modules/directory/infrastructure/search/search.projection.ts';
import { ConfigError, describeConfig, loadConfig } from '../../src/shared-kernel/config/config.ts';
import type { RecordedEvent } from '../../src/shared-kernel/events/envelope.ts';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const HOUR = 3_600_000;
const TOULOUSE = { lat: 43.6007, lon: 1.4328 };

const q = (overrides: Partial<SearchQuery> = {}): SearchQuery => ({
  filiere: 'medecine-generale',
  place: { kind: 'departement', departement: '31' },
  from: new Date(T0),
  to: new Date(T0 + 4 * HOUR),
  onlyAvailable: false,
  seed: 's33d',
  offset: 0,
  limit: 10,
  ...overrides,
});

describe('query translation', () => {
  it('quotes filter values, escaping quotes and backslashes', () => {
    expect(filterValue('31555')).toBe('"31555"');
    expect(filterValue('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('turns the window [from, to) into one range over the precomputed slot starts (epoch seconds)', () => {
    expect(slotFilter(q())).toBe('slotStarts 1793606400 TO 1793620799.999');
    expect(slotFilter(q({ consultationType: 'teleconsultation', from: new Date(T0 + 250) }))).toBe('slotStarts_teleconsultation 1793606400.25 TO 1793620799.999');
    expect(slotFilter(q({ to: new Date(T0) }))).toBeNull();
    expect(slotFilter(q({ to: new Date(T0 + 1) }))).toBe('slotStarts 1793606400 TO 1793606400');
  });

  it('writes the geo filter and sort', () => {
    expect(geoRadiusFilter(43.6007, 1.4328, 10_101)).toBe('_geoRadius(43.6007, 1.4328, 10101)');
    expect(geoPointSort(43.6007, 1.4328)).toBe('_geoPoint(43.6007, 1.4328):asc');
    expect(() => geoPointSort(Number.NaN, 1)).toThrow(RangeError);
  });

  it('filters on filière, place, specialty and the trigrams of a name', () => {
    expect(baseFilters(q({ place: { kind: 'point', ...TOULOUSE, radiusKm: 10 } }))).toEqual(['filieres = "medecine-generale"', '_geoRadius(43.6007, 1.4328, 10101)']);
    expect(baseFilters(q({ place: { kind: 'commune', inseeCode: '2A004' }, specialty: 'SM54' }))).toEqual([
      'filieres = "medecine-generale"',
      'inseeCode = "2A004"',
      'specialtyCode = "SM54"',
    ]);
    expect(baseFilters(q({ name: 'leger hel' }))).toEqual(['filieres = "medecine-generale"', 'departement = "31"', 'nameTrigrams = "ege"', 'nameTrigrams = "ger"', 'nameTrigrams = "hel"', 'nameTrigrams = "leg"']);
    expect(baseFilters(q({ name: 'du' }))).toEqual(['filieres = "medecine-generale"', 'departement = "31"']);
  });

  it('runs one search per group: médecin traitant by RPPS (anywhere), with slots by the range (participants first), without by its negation', () => {
    const slots = 'slotStarts 1793606400 TO 1793620799.999';
    const base = ['filieres = "medecine-generale"', 'departement = "31"'];
    expect(groupSearches(q({ treatingRpps: '10000000009' }))).toEqual([
      { group: 'medecin-traitant', filter: ['filieres = "medecine-generale"', 'rpps = "10000000009"'] },
      { group: 'with-slots', filter: [...base, 'rpps != "10000000009"', slots, 'participant = true'] },
      { group: 'with-slots', filter: [...base, 'rpps != "10000000009"', slots, 'participant = false'] },
      { group: 'without-slots', filter: [...base, 'rpps != "10000000009"', `NOT ${slots}`] },
    ]);
    expect(groupSearches(q({ onlyAvailable: true, treatingRpps: '10000000009' }))).toEqual([
      { group: 'medecin-traitant', filter: ['filieres = "medecine-generale"', 'rpps = "10000000009"', slots] },
      { group: 'with-slots', filter: [...base, 'rpps != "10000000009"', slots, 'participant = true'] },
      { group: 'with-slots', filter: [...base, 'rpps != "10000000009"', slots, 'participant = false'] },
    ]);
    expect(groupSearches(q({ to: new Date(T0) }))).toEqual([{ group: 'without-slots', filter: base }]);
    expect(groupSearches(q({ to: new Date(T0), onlyAvailable: true }))).toEqual([]);
    expect(filterExpression(['a = "1"', 'NOT b 1 TO 2'])).toBe('(a = "1") AND (NOT b 1 TO 2)');
  });
});

describe('ranking', () => {
  it('measures distances as PostgreSQL earthdistance does', () => {
    expect(earthDistanceM(TOULOUSE.lat, TOULOUSE.lon, TOULOUSE.lat, TOULOUSE.lon)).toBe(0);
    expect(earthDistanceM(TOULOUSE.lat, TOULOUSE.lon, 43.641, 1.377)).toBeCloseTo(6351.906, 1); // Blagnac
    expect(earthDistanceM(TOULOUSE.lat, TOULOUSE.lon, 43.4407, 1.2987)).toBeCloseTo(20842.566, 1); // Muret
  });

  it('orders by md5(rpps:locationId:seed), as the SQL engine', () => {
    expect(seededKey('10000000009', 'loc', 'seed')).toBe(createHash('md5').update('10000000009:loc:seed').digest('hex'));
    expect(seededKey('10000000009', 'loc', 'seed')).not.toBe(seededKey('10000000009', 'loc', 'other'));
  });

  it('ranks a group: exact radius, name substring, distance then seeded key', () => {
    const c = (id: string, lat: number, lon: number, name = 'x y'): Candidate => ({ id, rpps: id, locationId: 'l', nameKey: name, _geo: { lat, lng: lon } });
    const candidates = [c('far', 43.4407, 1.2987), c('b', 43.641, 1.377), c('t1', TOULOUSE.lat, TOULOUSE.lon), c('t2', TOULOUSE.lat, TOULOUSE.lon), { ...c('nogeo', 0, 0), _geo: null }];
    const point = q({ place: { kind: 'point', ...TOULOUSE, radiusKm: 10 } });
    const ranked = rankCandidates(candidates, 'with-slots', point);
    const ties = ['t1', 't2'].sort((a, b) => (seededKey(a, 'l', point.seed) < seededKey(b, 'l', point.seed) ? -1 : 1));
    expect(ranked.map((r) => r.id)).toEqual([...ties, 'b']);
    expect(ranked[2]!.distanceKm).toBeCloseTo(6.352, 3);
    expect(rankCandidates(candidates, 'with-slots', q({ place: { kind: 'point', ...TOULOUSE, radiusKm: 6.351906 } })).map((r) => r.id)).not.toContain('b');
    expect(rankCandidates([c('a', 0, 0, 'dubois claire'), c('b', 0, 0, 'martin paul')], 'without-slots', q({ name: 'ois cl' })).map((r) => r.id)).toEqual(['a']);
    const zone = rankCandidates(candidates, 'without-slots', q());
    expect(zone.map((r) => r.key)).toEqual(zone.map((r) => r.key).sort());
    expect(zone.every((r) => r.distanceKm === null)).toBe(true);
  });
});

const deps: DocumentDeps = {
  geocoder: {
    byInseeCode: (code: string) =>
      (({ '31555': { name: 'Toulouse', departement: '31', point: TOULOUSE }, '31069': { name: 'Blagnac', departement: '31', point: { lat: 43.641, lon: 1.377 } }, '97501': { name: 'Saint-Pierre', departement: '975', point: null } }) as Record<string, unknown>)[code] as never,
  },
  filieres: { forProfessional: (p) => (p.professionCode === '10' ? ['medecine-generale'] : ['chirurgiens-dentistes']) },
};

let position = 0;
const recorded = (type: string, data: Record<string, unknown>, occurredAt = new Date(T0).toISOString()): RecordedEvent =>
  ({
    type,
    data,
    streamName: 'test',
    streamRevision: 0,
    position: ++position,
    metadata: { eventId: `e${position}`, correlationId: 'c', causationId: null, actor: { accountId: 'a', role: 'system' }, occurredAt, schemaVersion: 1 },
  }) as RecordedEvent;

const RPPS = '10000000009';
const identity = (familyName: string) => ({
  rpps: RPPS,
  nationalId: `8${RPPS}`,
  civility: 'DR',
  givenName: 'Hélène',
  familyName,
  professionCode: '10',
  professionLabel: 'Médecin',
  specialtyCode: 'SM54',
  specialtyLabel: 'Médecine générale',
});
const location = (locationId: string, inseeCode: string | null) => ({
  rpps: RPPS,
  locationId,
  structureName: 'Cabinet',
  siret: null,
  finessSite: null,
  streetNumber: '1',
  streetName: 'Rue A',
  postcode: '31000',
  communeName: 'Ville',
  inseeCode,
  phone: '0561000000',
  modeExercice: 'L',
  secteurActivite: null,
});
const slot = (slotId: string, startMs: number, consultationTypes = ['cabinet'], source = 'manual') => ({
  slotId,
  effecteurId: RPPS,
  start: new Date(startMs).toISOString(),
  end: new Date(startMs + 20 * 60_000).toISOString(),
  consultationTypes,
  source,
});

describe('documents built from events', () => {
  it('folds directory and slot events into one state per practitioner, whatever arrives first', () => {
    const events = [
      recorded('SlotPublished', slot('s2', T0 + 2 * HOUR + 500, ['cabinet', 'teleconsultation'])),
      recorded('PractitionerRegistered', identity('Léger')),
      recorded('PracticeLocationAdded', location('a', '31555')),
      recorded('PracticeLocationAdded', location('b', '31069')),
      recorded('SlotPublished', slot('s1', T0 + HOUR, ['domicile'], 'vendor')),
    ];
    expect(events.map(practitionersOf)).toEqual([[RPPS], [RPPS], [RPPS], [RPPS], [RPPS]]);
    const state = applyEvents(emptyState(RPPS), events, deps);
    expect(state.position).toBe(events.at(-1)!.position);
    expect(state.practitioner).toMatchObject({ nameKey: 'leger helene', filieres: ['medecine-generale'] });
    expect(state.slots.map((s) => [s.slotId, s.start])).toEqual([
      ['s1', (T0 + HOUR) / 1000],
      ['s2', (T0 + 2 * HOUR + 500) / 1000],
    ]);
    const docs = placeDocuments(state);
    expect(docs.map((d) => d.id)).toEqual([`${RPPS}-a`, `${RPPS}-b`]);
    expect(docs[0]).toMatchObject({
      rpps: RPPS,
      locationId: 'a',
      position: state.position,
      filieres: ['medecine-generale'],
      nameKey: 'leger helene',
      inseeCode: '31555',
      departement: '31',
      commune: 'Toulouse',
      _geo: { lat: TOULOUSE.lat, lng: TOULOUSE.lon },
      slotStarts: [(T0 + HOUR) / 1000, (T0 + 2 * HOUR + 500) / 1000],
      slotStarts_cabinet: [(T0 + 2 * HOUR + 500) / 1000],
      slotStarts_teleconsultation: [(T0 + 2 * HOUR + 500) / 1000],
      slotStarts_domicile: [(T0 + HOUR) / 1000],
    });
    expect(docs[0]!.nameTrigrams).toEqual(nameTrigrams('leger helene'));
    expect(docs[0]!.slots[0]).toEqual({ slotId: 's1', start: (T0 + HOUR) / 1000, end: (T0 + HOUR + 20 * 60_000) / 1000, types: ['domicile'], source: 'vendor' });
  });

  it('is idempotent: events at or below the state position are skipped', () => {
    const events = [recorded('PractitionerRegistered', identity('Martin')), recorded('PracticeLocationAdded', location('a', '31555')), recorded('SlotPublished', slot('s1', T0))];
    const once = applyEvents(emptyState(RPPS), events, deps);
    expect(applyEvents(once, events, deps)).toBe(once);
    expect(applyEvents(applyEvents(emptyState(RPPS), events.slice(0, 2), deps), events, deps)).toEqual(once);
  });

  it('keeps the first publication of a slot id, drops withdrawn slots, closed places and departed practitioners', () => {
    let state = applyEvents(
      emptyState(RPPS),
      [
        recorded('PractitionerRegistered', identity('Martin')),
        recorded('PracticeLocationAdded', location('a', '31555')),
        recorded('PracticeLocationAdded', location('b', null)),
        recorded('SlotPublished', slot('s1', T0, ['cabinet'], 'manual')),
        recorded('SlotPublished', slot('s1', T0 + HOUR, ['cabinet'], 'vendor')),
        recorded('SlotPublished', slot('s2', T0 + HOUR)),
      ],
      deps,
    );
    expect(state.slots.map((s) => [s.slotId, s.source])).toEqual([
      ['s1', 'manual'],
      ['s2', 'manual'],
    ]);
    const noGeo = placeDocuments(state).find((d) => d.locationId === 'b')!;
    expect(noGeo._geo).toBeUndefined();
    expect(noGeo.departement).toBeNull();
    const before = state;
    state = applyEvents(state, [recorded('SlotWithdrawn', { slotId: 's1', effecteurId: RPPS, reason: null }), recorded('PracticeLocationClosed', { rpps: RPPS, locationId: 'b' })], deps);
    expect(state.slots.map((s) => s.slotId)).toEqual(['s2']);
    expect(removedPlaceIds(before, state)).toEqual([`${RPPS}-b`]);
    const departed = applyEvents(state, [recorded('PractitionerDeparted', { rpps: RPPS })], deps);
    expect(placeDocuments(departed)).toEqual([]);
    expect(removedPlaceIds(state, departed)).toEqual([`${RPPS}-a`]);
    expect(departed.slots.map((s) => s.slotId)).toEqual(['s2']);
  });

  it('renames and moves places in every document', () => {
    let state = applyEvents(emptyState(RPPS), [recorded('PractitionerRegistered', identity('Martin')), recorded('PracticeLocationAdded', location('a', '31555'))], deps);
    state = applyEvents(state, [recorded('PractitionerDetailsChanged', identity('Dupont')), recorded('PracticeLocationChanged', location('a', '31069'))], deps);
    expect(placeDocuments(state)).toMatchObject([{ id: `${RPPS}-a`, nameKey: 'dupont helene', inseeCode: '31069', commune: 'Blagnac', _geo: { lat: 43.641, lng: 1.377 } }]);
  });

  it('forgets slots that ended a week before the latest event', () => {
    const state = applyEvents(
      emptyState(RPPS),
      [recorded('SlotPublished', slot('old', T0 - 8 * 24 * HOUR)), recorded('SlotPublished', slot('recent', T0 - 24 * HOUR)), recorded('SlotPublished', slot('next', T0 + HOUR))],
      deps,
    );
    expect(state.slots.map((s) => s.slotId)).toEqual(['recent', 'next']);
  });

  it('builds ids Meilisearch accepts', () => {
    expect(placeDocumentId('10000000009', 'loc_1-a')).toBe('10000000009-loc_1-a');
    expect(placeDocumentId('10000000009', 'a/b é')).toMatch(/^h[0-9a-f]{40}$/);
    expect(placeDocumentId('10000000009', 'a/b é')).not.toBe(placeDocumentId('10000000009', 'a/b e'));
    expect(stateDocumentId('10000000009')).toBe('10000000009');
    expect(stateDocumentId('x y')).toMatch(/^h[0-9a-f]{40}$/);
  });
});

describe('cards', () => {
  it('shows the slots of the window and consultation type, by start, at most 20, with the distance rounded', () => {
    const state = applyEvents(
      emptyState(RPPS),
      [
        recorded('PractitionerRegistered', identity('Martin')),
        recorded('PracticeLocationAdded', location('a', '31555')),
        ...Array.from({ length: 25 }, (_, i) => recorded('SlotPublished', slot(`s${String(i).padStart(2, '0')}`, T0 + 5 * 60_000 * (24 - i), i === 0 ? ['domicile'] : ['cabinet']))),
        recorded('SlotPublished', slot('late', T0 + 4 * HOUR)),
      ],
      deps,
    );
    const [doc] = placeDocuments(state);
    const card = cardOf(doc!, { group: 'with-slots', distanceKm: 6.3519 }, q());
    expect(card).toMatchObject({ rpps: RPPS, locationId: 'a', familyName: 'Martin', civility: 'DR', specialty: 'Médecine générale', distanceKm: 6.4, group: 'with-slots' });
    expect(card.address).toEqual({ streetNumber: '1', streetName: 'Rue A', postcode: '31000', commune: 'Toulouse', inseeCode: '31555' });
    expect(card.slots).toHaveLength(20);
    expect(card.slots[0]).toEqual({ slotId: 's24', start: new Date(T0).toISOString(), end: new Date(T0 + 20 * 60_000).toISOString(), consultationTypes: ['cabinet'], source: 'manual' });
    expect(card.slots.map((s) => s.start)).toEqual([...card.slots.map((s) => s.start)].sort());
    expect(card.slots.map((s) => s.slotId)).not.toContain('late');
    expect(cardOf(doc!, { group: 'with-slots', distanceKm: null }, q({ consultationType: 'domicile' })).slots.map((s) => s.slotId)).toEqual(['s00']);
  });
});

describe('indexes', () => {
  it('names the live and rebuild indexes of a prefix', () => {
    expect(indexNames('sas')).toEqual({
      live: { places: 'sas_places', practitioners: 'sas_practitioners' },
      rebuild: { places: 'sas_places__rebuild', practitioners: 'sas_practitioners__rebuild' },
    });
    expect(() => indexNames('bad prefix')).toThrow(TypeError);
  });

  it('makes every filtered and sorted attribute filterable or sortable', () => {
    expect(PLACES_SETTINGS.filterableAttributes).toEqual(
      expect.arrayContaining(['_geo', 'id', 'rpps', 'filieres', 'specialtyCode', 'inseeCode', 'departement', 'nameTrigrams', 'slotStarts', 'slotStarts_cabinet', 'slotStarts_teleconsultation', 'slotStarts_domicile']),
    );
    expect(PLACES_SETTINGS.sortableAttributes).toEqual(['_geo']);
    expect(settingsUpToDate({ ...PLACES_SETTINGS, filterableAttributes: [...PLACES_SETTINGS.filterableAttributes].reverse() }, PLACES_SETTINGS)).toBe(true);
    expect(settingsUpToDate({ ...PLACES_SETTINGS, filterableAttributes: ['_geo'] }, PLACES_SETTINGS)).toBe(false);
    expect(settingsUpToDate({ ...PLACES_SETTINGS, pagination: { maxTotalHits: 1000 } }, PLACES_SETTINGS)).toBe(false);
  });
});

describe('configuration of the search engine', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.variable);
    }
    return [];
  };

  it('uses the SQL engine by default, Meilisearch when selected with a URL', () => {
    expect(loadConfig({}).search).toEqual({ engine: 'sql', meilisearch: undefined });
    expect(loadConfig({ SEARCH_ENGINE: 'Meilisearch', MEILISEARCH_URL: 'http://meili:7700/', MEILISEARCH_API_KEY: 'k3y', MEILISEARCH_INDEX: 'sas_test' }).search).toEqual({
      engine: 'meilisearch',
      meilisearch: { url: 'http://meili:7700', apiKey: 'k3y', indexPrefix: 'sas_test' },
    });
    expect(loadConfig({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'http://meili:7700' }).search.meilisearch?.indexPrefix).toBe('sas');
  });

  it('refuses an incomplete or bad Meilisearch configuration', () => {
    expect(problems({ SEARCH_ENGINE: 'meilisearch' })).toEqual(['MEILISEARCH_URL']);
    expect(problems({ SEARCH_ENGINE: 'elastic' })).toEqual(['SEARCH_ENGINE']);
    expect(problems({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'ftp://x' })).toEqual(['MEILISEARCH_URL']);
    expect(problems({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'http://x', MEILISEARCH_INDEX: 'a b' })).toEqual(['MEILISEARCH_INDEX']);
    expect(problems({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'http://x', NODE_ENV: 'production', OIDC_ISSUER: 'https://psc.example', OIDC_CLIENT_SECRET: 's' })).toEqual(['MEILISEARCH_API_KEY']);
  });

  it('never shows the API key', () => {
    const config = loadConfig({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'http://u:pw@meili:7700', MEILISEARCH_API_KEY: 'super-secret-key' });
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toMatch(/super-secret-key|:pw@/);
    expect(described).toContain('meilisearch');
  });

  it('selects the engine and the projections', () => {
    const sql = loadConfig({});
    const meili = loadConfig({ SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: 'http://127.0.0.1:9' });
    const db = { query: async () => ({ rows: [] }) };
    const refs = { geocoder: deps.geocoder, filieres: deps.filieres } as never;
    expect(searchEngineFor(sql, db).name).toBe('sql');
    expect(searchEngineFor(meili, db).name).toBe('meilisearch');
    expect(searchProjectionsFor(sql, refs).map((p) => p.name)).toEqual([SEARCH_PROJECTION]);
    expect(searchProjectionsFor(meili, refs).map((p) => [p.name, p.kind])).toEqual([
      [SEARCH_PROJECTION, 'sql'],
      [MEILI_SEARCH_PROJECTION, 'external'],
    ]);
  });
});
