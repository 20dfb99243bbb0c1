/**
 * A deliberately non-idempotent test projection: it increments counters and logs every position it applies,
 * without any unique key, so an event applied twice shows up as a duplicate row and a lost one as a missing row.
 */
import type { SqlProjection } from '../../src/shared-kernel/projections/projection.ts';

export const countingProjection = (name = 'counting', streamPrefix = 'crash.'): SqlProjection<'test_counts' | 'test_applied'> => ({
  kind: 'sql',
  name,
  tables: ['test_counts', 'test_applied'],
  filter: { streamPrefix },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.test_counts} (stream text PRIMARY KEY, n integer NOT NULL)`);
    await tx.query(`CREATE TABLE ${t.test_applied} (position bigint NOT NULL)`);
    await tx.query(`CREATE INDEX ON ${t.test_applied} (position)`);
  },
  async apply(tx, events, t) {
    for (const event of events) {
      await tx.query(
        `INSERT INTO ${t.test_counts} (stream, n) VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = ${t.test_counts}.n + 1`,
        [event.streamName],
      );
      await tx.query(`INSERT INTO ${t.test_applied} (position) VALUES ($1)`, [event.position]);
    }
  },
});
