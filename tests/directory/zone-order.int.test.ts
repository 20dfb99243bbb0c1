import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeShuffle, rotationKey, seedStart } from '../../src/modules/directory/application/search/zone-order.ts';
import { SHUFFLE_SQL } from '../../src/modules/directory/infrastructure/search/search.projection.ts';
import type { PgDatabase } from '../../src/shared-kernel/sql/pg-database.ts';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';

describe('zone order (a rotation of fixed random ranks)', () => {
  it('ranks are in [0, 1), and a rotation puts the start first and wraps around', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (rpps, location, seed) => {
        const shuffle = placeShuffle(rpps, location);
        const start = seedStart(seed);
        expect(shuffle).toBeGreaterThanOrEqual(0);
        expect(shuffle).toBeLessThan(1);
        const key = rotationKey(shuffle, start);
        expect(key).toBeGreaterThanOrEqual(0);
        expect(key).toBeLessThan(1 + 1e-12);
        expect(key < 1 - start).toBe(shuffle >= start);
      }),
    );
  });

  it('spreads first places evenly over many searches', () => {
    const places = Array.from({ length: 20 }, (_, i) => placeShuffle('19000000000', `loc-${i}`));
    const firsts = new Map<number, number>();
    for (let n = 0; n < 4000; n++) {
      const start = seedStart(`s${n}`);
      let best = 0;
      for (let i = 1; i < places.length; i++) if (rotationKey(places[i]!, start) < rotationKey(places[best]!, start)) best = i;
      firsts.set(best, (firsts.get(best) ?? 0) + 1);
    }
    // Every place comes first sometimes (a rotation of one permutation is not a fresh shuffle, but no place is shut out).
    expect(firsts.size).toBe(20);
  });

  describe.skipIf(!testDatabaseUrl)('on PostgreSQL', () => {
    let db: PgDatabase;
    beforeAll(async () => {
      db = await freshPgDatabase();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('computes the same rank as the read model stores (SHUFFLE_SQL)', async () => {
      const rows = Array.from({ length: 200 }, (_, i) => [`1${String(i).padStart(10, '0')}`, i % 3 === 0 ? `loc-${i}` : `démo/${i}:x`] as const);
      const { rows: ranks } = await db.query<{ shuffle: number }>(
        `SELECT ${SHUFFLE_SQL('r')} AS shuffle FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(rpps, location_id, n) ORDER BY n`,
        [rows.map((r) => r[0]), rows.map((r) => r[1])],
      );
      expect(ranks.map((r) => Number(r.shuffle))).toEqual(rows.map(([rpps, location]) => placeShuffle(rpps, location)));
    });
  });
});
