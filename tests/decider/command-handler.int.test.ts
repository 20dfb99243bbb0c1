import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/shared-kernel/application/command-handler.ts';
import { fold, type Decider } from '../../src/shared-kernel/decider/decider.ts';
import { conflictError, DomainError } from '../../src/shared-kernel/errors/result.ts';
import { ConcurrencyError } from '../../src/shared-kernel/event-store/event-store.port.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import type { CommandContext } from '../../src/shared-kernel/events/envelope.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';

type Ev = { type: 'Added'; data: { n: number } };
type Cmd = { type: 'Add'; n: number; limit: number };
const adder: Decider<Cmd, Ev, { total: number; count: number }> = {
  initialState: () => ({ total: 0, count: 0 }),
  evolve: (s, e) => ({ total: s.total + e.data.n, count: s.count + 1 }),
  decide: (c, s) => {
    if (s.total + c.n > c.limit) throw conflictError('LimitReached', 'limit reached');
    return [{ type: 'Added', data: { n: c.n } }];
  },
};
const ctx = (): CommandContext => ({
  actor: { accountId: 'tester', role: 'system' },
  correlationId: randomUUID(),
  now: new Date('2026-11-22T10:00:00Z'),
});

describe('CommandHandler on a real store (PGlite)', () => {
  let db: PgliteDatabase;
  let store: SqlEventStore;
  let handler: CommandHandler<Cmd, Ev, { total: number; count: number }>;
  beforeAll(async () => {
    db = await PgliteDatabase.open();
    store = await SqlEventStore.open(db);
    handler = new CommandHandler(store, adder);
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  it('appends decided events with metadata from the command context', async () => {
    const stream = `test.adder-${randomUUID()}`;
    const context = ctx();
    const result = await handler.handle(stream, { type: 'Add', n: 2, limit: 10 }, context);
    expect(result.revision).toBe(0);
    const [event] = await store.readStream(stream);
    expect(event!.metadata).toMatchObject({ correlationId: context.correlationId, actor: context.actor, occurredAt: '2026-11-22T10:00:00.000Z', schemaVersion: 1 });
  });

  it('leaves the stream unchanged when the decider refuses', async () => {
    const stream = `test.adder-${randomUUID()}`;
    await expect(handler.handle(stream, { type: 'Add', n: 11, limit: 10 }, ctx())).rejects.toBeInstanceOf(DomainError);
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('refuses an explicit expected revision that is not the current one', async () => {
    const stream = `test.adder-${randomUUID()}`;
    await handler.handle(stream, { type: 'Add', n: 1, limit: 10 }, ctx());
    await expect(handler.handle(stream, { type: 'Add', n: 1, limit: 10 }, ctx(), { expectedRevision: 5 })).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('without retry, concurrent commands on one stream: one wins, the others get a concurrency error', async () => {
    const stream = `test.adder-${randomUUID()}`;
    await handler.handle(stream, { type: 'Add', n: 1, limit: 1000 }, ctx());
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => handler.handle(stream, { type: 'Add', n: 1, limit: 1000 }, ctx())));
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const f of failures) expect(f.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(stream)).toHaveLength(1 + outcomes.length - failures.length);
  });

  it('property: with retry, concurrent commands never lose an update nor break the rule re-checked on fresh state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 5, max: 60 }), async (ns, limit) => {
        const stream = `test.adder-${randomUUID()}`;
        const outcomes = await Promise.allSettled(
          ns.map((n) => handler.handle(stream, { type: 'Add', n, limit }, ctx(), { retryOnConflict: true, maxAttempts: 50 })),
        );
        const recorded = await store.readStream(stream);
        const state = fold(adder, recorded as unknown as Ev[]);
        const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect(state.count).toBe(succeeded);
        expect(state.total).toBeLessThanOrEqual(limit);
        for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as DomainError).code).toBe('LimitReached');
      }),
      { numRuns: 25 },
    );
  });
});
