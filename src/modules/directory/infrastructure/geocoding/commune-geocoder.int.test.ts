import { beforeAll, describe, expect, it } from 'vitest';
import { distanceKm } from '../../../../shared-kernel/geo/geo-point.ts';
import { CommuneGeocoder } from './commune-geocoder.ts';

let geocoder: CommuneGeocoder;

beforeAll(async () => {
  geocoder = await CommuneGeocoder.load();
  console.info(`CommuneGeocoder: ${geocoder.size} rows loaded and indexed in ${geocoder.loadTimeMs.toFixed(0)} ms`);
});

const codes = (text: string, limit = 5) => geocoder.search(text, { limit }).map((c) => c.commune.inseeCode);

describe('CommuneGeocoder (data/reference/communes-fr.csv)', () => {
  // Load time is reported above, not asserted: speed belongs to benchmarks, not to unit tests.
  it('loads every row of the file', () => {
    expect(geocoder.size).toBe(35_014);
  });

  it('finds Toulouse by name, postcode + name, name + département, postcode, INSEE code', () => {
    const toulouse = geocoder.byInseeCode('31555');
    expect(toulouse).toMatchObject({ name: 'Toulouse', departement: '31', kind: 'commune' });
    expect(toulouse?.population).toBeGreaterThan(400_000);
    expect(toulouse?.postcodes).toContain('31000');
    expect(distanceKm(toulouse!.point!, { lat: 43.6045, lon: 1.444 })).toBeLessThan(5);

    for (const text of ['Toulouse', 'TOULOUSE', '31000 Toulouse', 'Toulouse 31000', 'Toulouse 31', 'Toulouse (31)', '31 Toulouse', '31555', 'Toulouse Cedex 9']) {
      expect(codes(text)[0], text).toBe('31555');
    }
    expect(geocoder.search('Toulouse')[0]?.match).toBe('exact');
    expect(geocoder.search('31000').map((c) => c.commune.inseeCode)).toContain('31555');
  });

  it('finds Saint-Étienne written four ways', () => {
    for (const text of ['Saint-Étienne', 'St Etienne', 'ST-ETIENNE', 'saint etienne 42', 'St-Étienne']) {
      expect(codes(text)[0], text).toBe('42218');
    }
    expect(geocoder.resolve({ city: 'St-Étienne', postcode: '42000' })?.commune.inseeCode).toBe('42218');
  });

  it('resolves Paris 15e by name, by INSEE code 75115 and by postcode 75015, and keeps the parent city reachable', () => {
    for (const text of ['Paris 15e', 'Paris 15e Arrondissement', 'Paris XVe', 'paris 15', '75115', '75015', '75015 Paris']) {
      expect(codes(text)[0], text).toBe('75115');
    }
    const paris15 = geocoder.byInseeCode('75115')!;
    expect(paris15).toMatchObject({ kind: 'arrondissement-municipal', parentInseeCode: '75056', postcodes: ['75015'] });
    // the source has no arrondissement centres: the city's centre stands in, flagged
    expect(paris15.pointIsParentCentre).toBe(true);
    expect(paris15.point).toEqual(geocoder.byInseeCode('75056')!.point);
    expect(geocoder.parentOf(paris15)?.name).toBe('Paris');
    // the arrondissement is followed by its city
    expect(codes('Paris 15e', 3)).toContain('75056');
    // the city itself comes first for "Paris"
    expect(codes('Paris')[0]).toBe('75056');
    expect(geocoder.byPostcode('75015').map((c) => c.inseeCode)).toEqual(['75115', '75056']);
    // LRM: INSEE wins; "Paris" + 75015 gives the arrondissement
    expect(geocoder.resolve({ inseeCode: '75115' })?.commune.name).toBe('Paris 15e Arrondissement');
    expect(geocoder.resolve({ city: 'Paris', postcode: '75015' })?.commune.inseeCode).toBe('75115');
    expect(geocoder.resolve({ city: 'Paris' })?.commune.inseeCode).toBe('75056');
  });

  it('resolves Lyon and Marseille arrondissements', () => {
    expect(codes('Lyon 3e arrondissement')[0]).toBe('69383');
    expect(codes('Marseille 1er')[0]).toBe('13201');
    expect(codes('Marseille 1er', 2)).toEqual(['13201', '13055']);
    expect(geocoder.resolve({ inseeCode: '69383', city: 'Lyon' })?.commune.parentInseeCode).toBe('69123');
  });

  it('handles Corsica (Ajaccio 2A004)', () => {
    const ajaccio = geocoder.byInseeCode('2a004');
    expect(ajaccio).toMatchObject({ inseeCode: '2A004', name: 'Ajaccio', departement: '2A' });
    expect(ajaccio?.point?.lat).toBeCloseTo(41.92, 1);
    expect(codes('Ajaccio')[0]).toBe('2A004');
    expect(codes('2A004')[0]).toBe('2A004');
    expect(codes('20000 Ajaccio')[0]).toBe('2A004');
    expect(codes('Ajaccio 2A')[0]).toBe('2A004');
  });

  it('handles a DROM commune (Saint-Denis, La Réunion, 97411)', () => {
    const stDenis = geocoder.byInseeCode('97411');
    expect(stDenis).toMatchObject({ name: 'Saint-Denis', departement: '974' });
    expect(stDenis!.point!.lat).toBeLessThan(-20);
    expect(codes('97400 Saint-Denis')[0]).toBe('97411');
    expect(codes('St Denis 974')[0]).toBe('97411');
    expect(geocoder.resolve({ city: 'Saint-Denis', postcode: '97400' })?.commune.inseeCode).toBe('97411');
    // Saint-Denis alone is ambiguous (93, 974, and villages): the LRM rule refuses to guess
    expect(geocoder.resolve({ city: 'Saint-Denis' })).toBeNull();
    // search still lists them, the most populated first
    expect(codes('Saint-Denis', 2).sort()).toEqual(['93066', '97411']);
  });

  it('lists every commune of a postcode shared by several communes', () => {
    // 01400 serves L'Abergement-Clémenciat, Châtillon-sur-Chalaronne and others
    const communes = geocoder.byPostcode('01400');
    expect(communes.length).toBeGreaterThan(3);
    expect(communes.map((c) => c.inseeCode)).toContain('01001');
    expect(communes.every((c) => c.postcodes.includes('01400' as never))).toBe(true);
    // sorted by population
    for (let i = 1; i < communes.length; i++) expect(communes[i - 1]!.population).toBeGreaterThanOrEqual(communes[i]!.population);
    // "01400" is also an INSEE code (an Ain commune): the search lists it and every commune of the postcode
    const found = geocoder.search('01400', { limit: 50 }).map((c) => c.commune.inseeCode);
    expect(found).toEqual(expect.arrayContaining(communes.map((c) => c.inseeCode)));
    expect(found[0]).toBe('01400');
    // the city picks one of them
    expect(geocoder.resolve({ city: "L'Abergement-Clémenciat", postcode: '01400' })?.commune.inseeCode).toBe('01001');
    // a postcode alone is not enough for the LRM rule
    expect(geocoder.resolve({ postcode: '01400' })).toBeNull();
  });

  it('returns nothing for an unknown name, an unknown code, empty input', () => {
    expect(geocoder.search('Xyzzyqwv')).toEqual([]);
    expect(geocoder.search('99999')).toEqual([]);
    expect(geocoder.search('   ')).toEqual([]);
    expect(geocoder.byInseeCode('99999')).toBeNull();
    expect(geocoder.byPostcode('99999')).toEqual([]);
    expect(geocoder.resolve({ city: 'Xyzzyqwv' })).toBeNull();
    expect(geocoder.resolve({})).toBeNull();
    // an INSEE code that resolves to nothing is not overridden by the city (LRM: back to the home page)
    expect(geocoder.resolve({ inseeCode: '31999', city: 'Toulouse' })).toBeNull();
  });

  it('tolerates typos', () => {
    expect(codes('Toulous')[0]).toBe('31555');
    expect(codes('Tolouse')[0]).toBe('31555');
    expect(codes('Toulousse')[0]).toBe('31555');
    expect(codes('Montpelier')[0]).toBe('34172');
    expect(codes('Chalon en Champagne')[0]).toBe('51108');
    expect(geocoder.search('Tolouse')[0]?.match).toBe('fuzzy');
    expect(geocoder.resolve({ city: 'Toulousse', postcode: '31000' })?.commune.inseeCode).toBe('31555');
  });

  it('ranks exact before prefix before fuzzy, and honours the limit', () => {
    const results = geocoder.search('Saint-Étienne', { limit: 8 });
    expect(results).toHaveLength(8);
    expect(results[0]?.match).toBe('exact');
    expect(results.slice(1).every((r) => r.match === 'prefix' || r.match === 'fuzzy')).toBe(true);
    for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
    // a result carries everything a caller needs
    expect(results[0]!.commune).toMatchObject({ inseeCode: '42218', name: 'Saint-Étienne', departement: '42', postcodes: ['42000', '42100', '42230'] });
    expect(results[0]!.commune.population).toBeGreaterThan(100_000);
    expect(results[0]!.commune.point).toEqual({ lat: 45.4241, lon: 4.3665 });
  });

  it("finds L'Haÿ-les-Roses and Châlons-en-Champagne without accents or punctuation", () => {
    expect(codes('lhay les roses')[0]).toBe('94038');
    expect(codes("L'Hay les Roses")[0]).toBe('94038');
    expect(codes('CHALONS EN CHAMPAGNE')[0]).toBe('51108');
  });
});
