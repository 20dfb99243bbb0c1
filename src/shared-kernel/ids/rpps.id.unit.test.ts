import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRpps, parseNationalId, parseRpps, toNationalId, type Rpps } from './rpps.id.ts';
import { isLuhnValid } from './siret.id.ts';

// Synthetic RPPS extraction from the project's reference data (data/reference/rpps).
const SAMPLE = fileURLToPath(new URL('../../../data/reference/rpps/sample-synthetic.txt', import.meta.url));

describe('parseRpps', () => {
  it.each(['10000000009', '10000000017', '10991003103', ' 10991003103 '])('accepts %j', (input) => {
    const r = parseRpps(input);
    expect(r).toEqual({ ok: true, value: input.trim() });
  });

  it.each([['10000000001'], ['1000000000'], ['abc'], ['100000000090'], ['109 9100 3103'], [''], [10000000009], [undefined]])(
    'refuses %j with InvalidRpps',
    (input) => {
      const r = parseRpps(input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('InvalidRpps');
        expect(r.error.kind).toBe('validation');
        expect(r.error.message).toMatch(/RPPS/);
      }
    },
  );

  it('explains a wrong check digit distinctly from a wrong length', () => {
    const key = parseRpps('10000000001');
    const length = parseRpps('1000000000');
    expect(!key.ok && key.error.message).toMatch(/check digit/);
    expect(!length.ok && length.error.message).toMatch(/11 digits/);
  });

  it('agrees with the Luhn check on every 11-digit string', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (s) => {
        expect(parseRpps(s).ok).toBe(isLuhnValid(s));
        expect(isRpps(s)).toBe(isLuhnValid(s));
      }),
    );
  });

  it('accepts every RPPS and IDNPS of the synthetic extraction', () => {
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [type, id, national] = line.split('|');
      expect(type).toBe('8');
      const rpps = parseRpps(id);
      expect(rpps.ok, id).toBe(true);
      if (rpps.ok) expect(toNationalId(rpps.value)).toBe(national);
      expect(parseNationalId(national)).toEqual({ ok: true, value: { kind: 'rpps', rpps: id } });
    }
  });
});

describe('national identifier (IDNPS)', () => {
  it('prefixes the RPPS with 8 and parses it back', () => {
    expect(toNationalId('10991003103' as Rpps)).toBe('810991003103');
    expect(parseNationalId('810991003103')).toEqual({ ok: true, value: { kind: 'rpps', rpps: '10991003103' } });
  });

  it('parses the ADELI form 0 + 9 characters', () => {
    expect(parseNationalId('0751012345')).toEqual({ ok: true, value: { kind: 'adeli', adeli: '751012345' } });
  });

  it.each([['810991003104'], ['910991003103'], ['10991003103'], ['0751012346'], ['8'], [42]])('refuses %j with InvalidNationalId', (input) => {
    const r = parseNationalId(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidNationalId');
  });

  it('round-trips every valid RPPS', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (s) => {
        fc.pre(isRpps(s));
        expect(parseNationalId(toNationalId(s))).toEqual({ ok: true, value: { kind: 'rpps', rpps: s } });
      }),
    );
  });
});
