import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { departementOf, isInseeCommune, parseCommune, parseInseeCommune, parsePostcode, type InseeCommune } from './insee-commune.id.ts';

// Every French commune (COG 2026), from the project's reference data (data/reference).
const COMMUNES = fileURLToPath(new URL('../../../data/reference/communes-fr.csv', import.meta.url));

describe('parseInseeCommune', () => {
  it.each([
    ['75056', '75'],
    ['01001', '01'],
    ['2A004', '2A'],
    ['2b033', '2B'],
    ['97411', '974'],
    ['97101', '971'],
    ['97608', '976'],
    ['97502', '975'],
    ['97701', '977'],
    ['98818', '988'],
  ])('accepts %s (département %s)', (input, departement) => {
    expect(parseCommune(input)).toEqual({ ok: true, value: { code: input.toUpperCase(), departement } });
  });

  it.each([['20000'], ['00123'], ['96001'], ['97901'], ['98501'], ['2C004'], ['7505'], ['750561'], ['75O56'], [75056], [null]])(
    'refuses %j with InvalidInseeCommune',
    (input) => {
      const r = parseInseeCommune(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('InvalidInseeCommune');
      expect(parseCommune(input).ok).toBe(false);
    },
  );

  it('departementOf gives 2 characters in metropolitan France and 3 overseas', () => {
    expect(departementOf('2A004' as InseeCommune)).toBe('2A');
    expect(departementOf('97411' as InseeCommune)).toBe('974');
    expect(departementOf('75056' as InseeCommune)).toBe('75');
  });

  it('the département is always a prefix of the code', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^([0-9]{2}|2A|2B)[0-9]{3}$/), (s) => {
        const r = parseCommune(s);
        if (r.ok) expect(s.startsWith(r.value.departement)).toBe(true);
        expect(isInseeCommune(s)).toBe(r.ok);
      }),
    );
  });

  it('accepts every commune and arrondissement of the COG, with its département', () => {
    const rows = readFileSync(COMMUNES, 'utf8').trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(35_000);
    for (const row of rows) {
      // The first columns (insee, name, postcodes, departement) never contain a comma in this release.
      const [insee, , postcodes, departement] = row.split(',');
      expect(parseCommune(insee), insee).toEqual({ ok: true, value: { code: insee, departement } });
      for (const postcode of (postcodes ?? '').split(' ').filter(Boolean)) expect(parsePostcode(postcode).ok, postcode).toBe(true);
    }
  });
});

describe('parsePostcode', () => {
  it.each(['75001', '20000', '97400', '98000', ' 01000 '])('accepts %j', (input) => {
    expect(parsePostcode(input)).toEqual({ ok: true, value: input.trim() });
  });

  it.each([['00123'], ['7500'], ['750011'], ['75 001'], ['2A000'], [75001]])('refuses %j with InvalidPostcode', (input) => {
    const r = parsePostcode(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidPostcode');
  });
});
