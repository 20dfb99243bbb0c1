import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLuhnValid, isSiren, isSiret, LA_POSTE_SIREN, parseSiren, parseSiret, sirenOf } from './siret.id.ts';

/** Appends the Luhn key to a digit string (test helper: the inverse of isLuhnValid). */
const withLuhnKey = (body: string): string => {
  const key = [...'0123456789'].find((k) => isLuhnValid(body + k));
  return body + key;
};

describe('isLuhnValid', () => {
  it('accepts known-good numbers and refuses non-digits', () => {
    expect(isLuhnValid('79927398713')).toBe(true); // the textbook example
    expect(isLuhnValid('79927398710')).toBe(false);
    expect(isLuhnValid('')).toBe(false);
    expect(isLuhnValid('12a4')).toBe(false);
  });

  it('detects every single-digit substitution', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,15}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const valid = withLuhnKey(body);
        const i = pos % valid.length;
        const changed = valid.slice(0, i) + String((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
        expect(isLuhnValid(valid)).toBe(true);
        expect(isLuhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('parseSiret', () => {
  it.each(['73282932000074', '34173748400020', '732 829 320 00074'])('accepts %s', (input) => {
    const r = parseSiret(input);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toBe(input.replace(/\s/g, ''));
  });

  it.each([['73282932000075'], ['7328293200007'], ['732829320000744'], ['7328293200007A'], [73282932000074], [null]])(
    'refuses %s with InvalidSiret',
    (input) => {
      const r = parseSiret(input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('InvalidSiret');
        expect(r.error.kind).toBe('validation');
      }
    },
  );

  it('applies the La Poste exception: digit sum multiple of 5 instead of Luhn', () => {
    expect(parseSiret('35600000000048').ok).toBe(true); // head office: Luhn-valid
    expect(isLuhnValid('35600000049837')).toBe(false);
    expect(parseSiret('35600000049837').ok).toBe(true); // digit sum 45
    expect(parseSiret('35600000049838').ok).toBe(false); // neither rule
  });

  it('the La Poste exception does not leak to other SIRENs', () => {
    // digit sum 40 but Luhn-invalid, and not La Poste
    expect(parseSiret('35600000149827').ok).toBe(false);
  });

  it('accepts every Luhn-valid 14-digit number and exposes its SIREN', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{13}$/), (body) => {
        const r = parseSiret(withLuhnKey(body));
        expect(r.ok).toBe(true);
        if (r.ok) expect(sirenOf(r.value)).toBe(body.slice(0, 9));
      }),
    );
  });

  it('isSiret accepts only the compact canonical form', () => {
    expect(isSiret('73282932000074')).toBe(true);
    expect(isSiret('732 829 320 00074')).toBe(false);
    expect(isSiret(1)).toBe(false);
    expect(LA_POSTE_SIREN).toBe('356000000');
  });
});

describe('parseSiren', () => {
  it('accepts valid SIRENs and refuses a wrong key or length', () => {
    expect(parseSiren('732829320').ok).toBe(true);
    expect(parseSiren('356000000').ok).toBe(true);
    expect(parseSiren('732 829 320').ok).toBe(true);
    const bad = parseSiren('732829321');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('InvalidSiren');
    expect(parseSiren('73282932').ok).toBe(false);
    expect(isSiren('732829320')).toBe(true);
    expect(isSiren('732829321')).toBe(false);
  });
});
