import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuid, newId, parseUuid } from './uuid.ts';

describe('uuid', () => {
  it('newId returns distinct canonical v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, newId));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseUuid(id)).toEqual({ ok: true, value: id });
    }
  });

  it('normalises case and surrounding spaces', () => {
    expect(parseUuid(' 550E8400-E29B-41D4-A716-446655440000 ')).toEqual({ ok: true, value: '550e8400-e29b-41d4-a716-446655440000' });
  });

  it.each([['550e8400e29b41d4a716446655440000'], ['550e8400-e29b-41d4-a716-44665544000g'], [''], [42], [null]])('refuses %j with InvalidUuid', (input) => {
    const r = parseUuid(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidUuid');
  });

  it('accepts any UUID fast-check generates (all versions)', () => {
    fc.assert(
      fc.property(fc.uuid(), (u) => {
        expect(parseUuid(u)).toEqual({ ok: true, value: u });
        expect(isUuid(u)).toBe(true);
      }),
    );
  });
});
