import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFiness, parseFiness } from './finess.id.ts';
import { isLuhnValid } from './siret.id.ts';

describe('parseFiness', () => {
  it.each([
    ['750712184', 'AP-HP (legal entity)'],
    ['690781810', 'Hospices civils de Lyon'],
    ['970421038', 'CHU de La Réunion'],
    ['050005917', 'CDS sample of the SAS interface documentation'],
  ])('accepts the real number %s (%s)', (input) => {
    expect(parseFiness(input)).toEqual({ ok: true, value: input });
  });

  it('accepts Corsican numbers on format, upper-casing and removing spaces', () => {
    expect(parseFiness('2A0000000')).toEqual({ ok: true, value: '2A0000000' });
    expect(parseFiness('2b 000 0001')).toEqual({ ok: true, value: '2B0000001' });
  });

  it.each([
    ['750712185', 'wrong key'],
    ['75071218', '8 characters'],
    ['7507121840', '10 characters'],
    ['000000000', 'département 00'],
    ['200000007', 'département 20'],
    ['960000002', 'département 96'],
    ['2C0000000', 'unknown Corsican letter'],
    ['2A000000X', 'letter in the order number'],
  ])('refuses %s (%s) with InvalidFiness', (input) => {
    const r = parseFiness(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidFiness');
  });

  it('refuses non-strings', () => {
    expect(parseFiness(750712184).ok).toBe(false);
  });

  it('checks the Luhn key of every numeric FINESS of a valid département', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|9[78]\d)\d{6,7}$/), (s) => {
        fc.pre(s.length === 9);
        expect(parseFiness(s).ok).toBe(isLuhnValid(s));
      }),
    );
  });

  it('guards the canonical form only', () => {
    expect(isFiness('750712184')).toBe(true);
    expect(isFiness('2a0000000')).toBe(false);
    expect(isFiness('750712185')).toBe(false);
  });
});
