import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adeliDepartement, isAdeli, parseAdeli } from './adeli.id.ts';
import { isLuhnValid } from './siret.id.ts';

describe('parseAdeli', () => {
  it.each(['751012345', '131234569', '971234562', ' 751012345 ', '2A1234567', '2b0000001'])('accepts %j', (input) => {
    const r = parseAdeli(input);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toBe(input.trim().toUpperCase());
  });

  it.each([
    ['751012346', 'wrong Luhn key'],
    ['75101234', '8 characters'],
    ['7510123400', '10 characters'],
    ['001234567', 'département 00'],
    ['201234567', 'département 20 (Corsica is 2A/2B)'],
    ['961234567', 'département 96'],
    ['2C1234567', 'unknown letter'],
    ['75101234A', 'letter outside the département'],
  ])('refuses %s (%s) with InvalidAdeli', (input) => {
    const r = parseAdeli(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidAdeli');
  });

  it('refuses non-strings', () => {
    expect(parseAdeli(751012345).ok).toBe(false);
  });

  it('checks the Luhn key of every numeric ADELI of a valid département', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5])\d{7}$/), (s) => {
        expect(parseAdeli(s).ok).toBe(isLuhnValid(s));
      }),
    );
  });

  it('exposes the département and guards the canonical form', () => {
    const r = parseAdeli('2A1234567');
    expect(r.ok && adeliDepartement(r.value)).toBe('2A');
    expect(isAdeli('751012345')).toBe(true);
    expect(isAdeli('2a1234567')).toBe(false);
  });
});
