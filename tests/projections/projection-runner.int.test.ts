import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { ProjectionRunner } from '../../src/shared-kernel/projections/projection-runner.ts';
import type { PgDatabase } from '../../src/shared-kernel/sql/pg-database.ts';
import { testEvent } from '../contracts/event-store.contract.ts';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';
import { countingProjection } from './counting.projection.ts';

async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function appendMany(store: SqlEventStore, streams: number, perStream: number, prefix = 'crash.counter-') {
  const names = Array.from({ length: streams }, () => `${prefix}${randomUUID()}`);
  for (let i = 0; i < perStream; i++) {
    for (const name of names) await store.appendToStream(name, [testEvent('Counted', { i })]);
  }
  return names;
}

async function integrity(db: PgDatabase, tables = { counts: 'test_counts', applied: 'test_applied' }) {
  const { rows } = await db.query<{ total: number; distinct_positions: number; applied: number }>(
    `SELECT (SELECT coalesce(sum(n), 0)::int FROM ${tables.counts}) AS total,
            (SELECT count(DISTINCT position)::int FROM ${tables.applied}) AS distinct_positions,
            (SELECT count(*)::int FROM ${tables.applied}) AS applied`,
  );
  return rows[0]!;
}

describe.skipIf(!testDatabaseUrl)('ProjectionRunner on PostgreSQL', () => {
  let db: PgDatabase;
  let store: SqlEventStore;
  beforeAll(async () => {
    db = await freshPgDatabase();
    store = await SqlEventStore.open(db, { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  it('applies history then live events once each, stores its checkpoint and reports lag', async () => {
    await appendMany(store, 5, 10);
    const runner = new ProjectionRunner(store, db, { batchSize: 13 });
    runner.register(countingProjection());
    await runner.start();
    await appendMany(store, 2, 5);
    const head = await store.headPosition();
    await eventually(async () => (await runner.status())[0]!.position === head);
    const [status] = await runner.status();
    expect(status).toMatchObject({ name: 'counting', lag: 0, running: true, failure: null });
    expect(await integrity(db)).toEqual({ total: 60, distinct_positions: 60, applied: 60 });
    await runner.stop();
  });

  it('two runners on one database (two processes) never apply an event twice', async () => {
    const db2 = await freshPgDatabase();
    const url = (db2.pool.options as { connectionString: string }).connectionString;
    const store2 = await SqlEventStore.open(db2, { pollIntervalMs: 10 });
    const { PgDatabase } = await import('../../src/shared-kernel/sql/pg-database.ts');
    const db3 = new PgDatabase(url);
    const store3 = await SqlEventStore.open(db3, { pollIntervalMs: 10 });
    const a = new ProjectionRunner(store2, db2, { batchSize: 5 }).register(countingProjection());
    const b = new ProjectionRunner(store3, db3, { batchSize: 3 }).register(countingProjection());
    await a.start();
    await b.start();
    await appendMany(store2, 10, 20);
    const head = await store2.headPosition();
    await eventually(async () => (await a.status())[0]!.position === head);
    expect(await integrity(db2)).toEqual({ total: 200, distinct_positions: 200, applied: 200 });
    await a.stop();
    await b.stop();
    await store3.close();
    await db3.close();
    await store2.close();
    await db2.close();
  });

  it('rebuilds into fresh tables and swaps them in while events keep arriving', async () => {
    const db4 = await freshPgDatabase();
    const store4 = await SqlEventStore.open(db4, { pollIntervalMs: 10 });
    await appendMany(store4, 20, 15);
    const runner = new ProjectionRunner(store4, db4, { batchSize: 50 }).register(countingProjection());
    await runner.start();
    // Corrupt the live table: a rebuild must produce the truth from the history alone.
    await db4.query(`UPDATE test_counts SET n = n + 1000`);
    const writing = appendMany(store4, 5, 20);
    const progress: number[] = [];
    const result = await runner.rebuild('counting', (p) => progress.push(p.applied));
    await writing;
    const head = await store4.headPosition();
    await eventually(async () => (await runner.status())[0]!.position === head);
    expect(result.applied).toBeGreaterThanOrEqual(300);
    expect(progress.length).toBeGreaterThan(1);
    expect(await integrity(db4)).toEqual({ total: 400, distinct_positions: 400, applied: 400 });
    const tables = await db4.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'test_%' ORDER BY 1`);
    expect(tables.rows.map((r) => r.tablename)).toEqual(['test_applied', 'test_counts']);
    expect((await runner.status())[0]!.rebuiltAt).not.toBeNull();
    await expect(runner.rebuild('nope')).rejects.toThrow(/Unknown projection "nope"/);
    await runner.stop();
    await store4.close();
    await db4.close();
  });

  it('a projection whose version changed is rebuilt on start (new table shape), nothing lost, then runs live', async () => {
    const db5 = await freshPgDatabase();
    const store5 = await SqlEventStore.open(db5, { pollIntervalMs: 10 });
    await appendMany(store5, 10, 3);
    const v1 = new ProjectionRunner(store5, db5, { batchSize: 7 }).register(countingProjection());
    await v1.start();
    await eventually(async () => (await v1.status())[0]!.position === (await store5.headPosition()));
    await v1.stop();
    const base = countingProjection();
    // Version 2 adds a column to what it writes.
    const v2Projection = {
      ...base,
      version: 2,
      async createTables(tx: Parameters<typeof base.createTables>[0], t: Parameters<typeof base.createTables>[1]) {
        await base.createTables(tx, t);
        await tx.query(`ALTER TABLE ${t.test_counts} ADD COLUMN last_position bigint NOT NULL DEFAULT 0`);
      },
      async apply(tx: Parameters<typeof base.apply>[0], events: Parameters<typeof base.apply>[1], t: Parameters<typeof base.apply>[2]) {
        await base.apply(tx, events, t);
        for (const e of events) await tx.query(`UPDATE ${t.test_counts} SET last_position = $2 WHERE stream = $1`, [e.streamName, e.position]);
      },
    };
    const v2 = new ProjectionRunner(store5, db5, { batchSize: 7 }).register(v2Projection);
    await v2.start();
    expect((await v2.status())[0]!.rebuiltAt).not.toBeNull();
    expect(await integrity(db5)).toEqual({ total: 30, distinct_positions: 30, applied: 30 });
    const { rows } = await db5.query<{ zero: number }>('SELECT count(*)::int AS zero FROM test_counts WHERE last_position = 0');
    expect(rows[0]!.zero).toBe(0);
    const version = await db5.query<{ version: number }>(`SELECT version FROM projection_checkpoints WHERE name = 'counting'`);
    expect(version.rows[0]!.version).toBe(2);
    // Live again, and a restart with the same version rebuilds nothing.
    await appendMany(store5, 1, 2);
    await eventually(async () => (await integrity(db5)).total === 32);
    await v2.stop();
    const rebuiltAt = (await v2.status())[0]!.rebuiltAt;
    const again = new ProjectionRunner(store5, db5).register(v2Projection);
    await again.start();
    expect((await again.status())[0]!.rebuiltAt).toBe(rebuiltAt);
    await again.stop();
    await store5.close();
    await db5.close();
  });

  it('crash test: killed between a read-model write and the next event, it restarts with nothing lost or applied twice', async () => {
    const db5 = await freshPgDatabase();
    const url = (db5.pool.options as { connectionString: string }).connectionString;
    const store5 = await SqlEventStore.open(db5);
    await appendMany(store5, 10, 150); // 1,500 events
    const head = await store5.headPosition();
    const position = async () => {
      const { rows } = await db5.query<{ position: number }>(`SELECT position FROM projection_checkpoints WHERE name = 'counting'`);
      return Number(rows[0]?.position ?? 0);
    };
    await new ProjectionRunner(store5, db5).register(countingProjection()).prepare();
    let kills = 0;
    while ((await position()) < head && kills < 40) {
      const child = fork(new URL('./crash-child.ts', import.meta.url), {
        env: { ...process.env, DATABASE_URL: url },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      await new Promise<void>((resolve) => child.once('message', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 250));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      kills++;
    }
    // Finish with a runner in this process, then check the books.
    const runner = new ProjectionRunner(store5, db5).register(countingProjection());
    await runner.start();
    await eventually(async () => (await position()) === head);
    await runner.stop();
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(await integrity(db5)).toEqual({ total: 1500, distinct_positions: 1500, applied: 1500 });
    await store5.close();
    await db5.close();
  });
});
