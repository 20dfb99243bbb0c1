import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FiliereRegistry } from '../../src/modules/directory/infrastructure/filiere-registry.ts';
import { SearchRadiusPolicy } from '../../src/modules/directory/infrastructure/search-radius.ts';

const fixtures = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

describe('FiliereRegistry — the shipped filières', () => {
  const registry = FiliereRegistry.loadDirectory();

  it('loads the four filières, médecine générale by default', () => {
    expect(registry.all().map((f) => f.id).sort()).toEqual(['chirurgiens-dentistes', 'medecine-generale', 'psychiatrie', 'sages-femmes']);
    expect(registry.default().id).toBe('medecine-generale');
    expect(registry.byId('psychiatrie')).toMatchObject({ professions: ['10'], specialties: ['SM42', 'SM43'] });
    expect(registry.byId('unknown')).toBeNull();
  });

  it('places professionals in their filières', () => {
    expect(registry.forProfessional({ professionCode: '10', specialtyCode: 'SM54' })).toEqual(['medecine-generale']);
    expect(registry.forProfessional({ professionCode: '10', specialtyCode: 'SM53' })).toEqual(['medecine-generale']);
    expect(registry.forProfessional({ professionCode: '10', specialtyCode: 'SM42' })).toEqual(['psychiatrie']);
    expect(registry.forProfessional({ professionCode: '10', specialtyCode: 'SM43' })).toEqual(['psychiatrie']);
    expect(registry.forProfessional({ professionCode: '10', specialtyCode: 'SM40' })).toEqual([]); // paediatrics: no filière yet
    expect(registry.forProfessional({ professionCode: '10' })).toEqual([]);
    expect(registry.forProfessional({ professionCode: '40', specialtyCode: 'SCD01' })).toEqual(['chirurgiens-dentistes']);
    expect(registry.forProfessional({ professionCode: '40' })).toEqual(['chirurgiens-dentistes']);
    expect(registry.forProfessional({ professionCode: '50', specialtyCode: null })).toEqual(['sages-femmes']);
    expect(registry.forProfessional({ professionCode: '60' })).toEqual([]);
  });
});

describe('FiliereRegistry — adding a filière is a new definition file and nothing else', () => {
  it('loads infirmiers.json from a directory and matches a nurse, with no code change', () => {
    const registry = FiliereRegistry.loadDirectory(fixtures('filieres-extra'));
    expect(registry.all()).toHaveLength(5);
    expect(registry.byId('infirmiers')).toEqual({
      id: 'infirmiers',
      label: 'Soins infirmiers',
      professions: ['60'],
      specialties: [],
      consultationTypes: ['cabinet', 'domicile'],
      defaultRadiusKm: 12,
    });
    expect(registry.forProfessional({ professionCode: '60' })).toEqual(['infirmiers']);
    expect(registry.forProfessional({ professionCode: '60', specialtyCode: 'SI01' })).toEqual(['infirmiers']);
    expect(registry.default().id).toBe('medecine-generale');
  });
});

describe('FiliereRegistry — broken definitions are refused with the file named', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (files: Record<string, unknown>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'filieres-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return dir;
  };
  const valid = { id: 'medecine-generale', label: 'Médecine générale', professions: ['10'], specialties: ['SM54'], consultationTypes: ['cabinet'], defaultRadiusKm: 10, default: true };

  it('refuses an unknown profession code', () => {
    expect(() => FiliereRegistry.loadDirectory(fixtures('filieres-broken-code'))).toThrow(/kinesitherapie\.json: field "professions\.0": unknown TRE_G15 profession code "77"/);
  });

  it('refuses a missing field', () => {
    expect(() => FiliereRegistry.loadDirectory(fixtures('filieres-broken-field'))).toThrow(/orthophonie\.json: field "consultationTypes"/);
  });

  it('refuses an unknown or deprecated specialty, a bad consultation type, bad JSON, an id that is not the file name, no default', () => {
    const load = (files: Record<string, unknown>) => () => FiliereRegistry.loadDirectory(tempDir(files));
    expect(load({ 'medecine-generale.json': valid, 'x.json': { ...valid, id: 'x', default: false, specialties: ['SM99'] } })).toThrow(/x\.json: field "specialties\.0": unknown TRE_R38 specialty code "SM99"/);
    expect(load({ 'medecine-generale.json': valid, 'x.json': { ...valid, id: 'x', default: false, specialties: ['SP01'] } })).toThrow(/x\.json: .*"SP01".*deprecated/);
    expect(load({ 'medecine-generale.json': valid, 'x.json': { ...valid, id: 'x', default: false, consultationTypes: ['visio'] } })).toThrow(/x\.json: field "consultationTypes\.0"/);
    expect(load({ 'medecine-generale.json': valid, 'x.json': '{ "id": ' })).toThrow(/x\.json: not valid JSON/);
    expect(load({ 'medecine-generale.json': valid, 'y.json': { ...valid, id: 'x', default: false } })).toThrow(/y\.json: field "id": "x" must match the file name/);
    expect(load({ 'medecine-generale.json': valid, 'x.json': { ...valid, id: 'x', extra: 1, default: false } })).toThrow(/x\.json: .*extra/);
    expect(load({ 'medecine-generale.json': { ...valid, default: false } })).toThrow(/exactly one filière must have "default": true, found 0/);
    expect(load({ 'medecine-generale.json': valid, 'x.json': { ...valid, id: 'x' } })).toThrow(/found 2 \(medecine-generale, x\)/);
  });
});

describe('SearchRadiusPolicy', () => {
  const registry = FiliereRegistry.loadDirectory();
  const policy = SearchRadiusPolicy.load();
  const mg = registry.default();
  const dentists = registry.byId('chirurgiens-dentistes')!;

  it('uses the département override when there is one', () => {
    expect(policy.radiusFor('75', mg)).toBe(3);
    expect(policy.radiusFor('75', dentists)).toBe(3);
    expect(policy.radiusFor('92', mg)).toBe(4);
    expect(policy.radiusFor('2A', mg)).toBe(25);
    expect(policy.radiusFor('2a', mg)).toBe(25);
    expect(policy.radiusFor('973', mg)).toBe(50);
    expect(policy.radiusFor('48', mg)).toBe(30);
  });

  it('else the filière default, else the global default', () => {
    expect(policy.radiusFor('31', mg)).toBe(10);
    expect(policy.radiusFor('31', dentists)).toBe(15);
    expect(policy.radiusFor('31', registry.byId('psychiatrie'))).toBe(20);
    expect(policy.radiusFor('31')).toBe(10);
  });

  it('keeps dense urban départements smaller than rural and overseas ones', () => {
    expect(policy.radiusFor('75')).toBeLessThan(policy.radiusFor('69'));
    expect(policy.radiusFor('69')).toBeLessThan(policy.radiusFor('23'));
    expect(policy.radiusFor('23')).toBeLessThan(policy.radiusFor('973'));
  });

  it('refuses a config with a bad département code or radius', () => {
    expect(() => new SearchRadiusPolicy({ default: 10, byDepartement: { '20': 5 } })).toThrow(/département code/);
    expect(() => new SearchRadiusPolicy({ default: -1, byDepartement: {} })).toThrow();
  });
});
