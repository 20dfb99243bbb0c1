/**
 * The event-store contract: ONE suite that every adapter of the EventStore port must pass
 * (PostgreSQL, PGlite, EventStoreDB). Each test writes to its own fresh streams, so adapters can share one store.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/shared-kernel/events/envelope.ts';
import { ConcurrencyError, type EventStore, type StreamAppend } from '../../src/shared-kernel/event-store/event-store.port.ts';
import type { RecordedEvent } from '../../src/shared-kernel/events/envelope.ts';

export function testEvent(type: string, data: Record<string, unknown> = {}): EventEnvelope {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      actor: { accountId: 'contract-test', role: 'system' },
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

const uniqueStream = (aggregate = 'thing') => `contract.${aggregate}-${randomUUID()}`;

async function waitUntil(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function eventStoreContract(name: string, open: () => Promise<EventStore>, close: (store: EventStore) => Promise<void>) {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      if (store) await close(store);
    });

    describe('append with an expected revision', () => {
      it('creates a stream when no-stream is expected and numbers its events from 0', async () => {
        const stream = uniqueStream();
        const result = await store.appendToStream(stream, [testEvent('A'), testEvent('B')], { expectedRevision: 'no-stream' });
        expect(result.nextExpectedRevision).toBe(1);
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.type, e.streamRevision])).toEqual([['A', 0], ['B', 1]]);
        expect(events[1]!.position).toBe(result.position);
      });

      it('refuses no-stream when the stream exists, with a typed concurrency error', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent('A')]);
        await expect(store.appendToStream(stream, [testEvent('B')], { expectedRevision: 'no-stream' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('appends at the exact revision and refuses a stale one', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent('A'), testEvent('B')], { expectedRevision: 'no-stream' });
        await store.appendToStream(stream, [testEvent('C')], { expectedRevision: 1 });
        const stale = store.appendToStream(stream, [testEvent('D')], { expectedRevision: 1 });
        await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(stale).rejects.toMatchObject({ streamName: stream, expected: 1, actual: 2 });
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('refuses an exact revision on a stream that does not exist', async () => {
        await expect(store.appendToStream(uniqueStream(), [testEvent('A')], { expectedRevision: 0 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      });

      it('appends without a check when any revision is expected', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent('A')], { expectedRevision: 'any' });
        const result = await store.appendToStream(stream, [testEvent('B')], { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1);
      });

      it('stream-exists refuses a missing stream and accepts an existing one', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, [testEvent('A')], { expectedRevision: 'stream-exists' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        await store.appendToStream(stream, [testEvent('A')]);
        await expect(store.appendToStream(stream, [testEvent('B')], { expectedRevision: 'stream-exists' })).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it('keeps data and metadata intact', async () => {
        const stream = uniqueStream();
        const event = testEvent('Typed', { text: 'Évry – ☂ "quoted"', n: 42, nested: { list: [1, null, true] } });
        await store.appendToStream(stream, [event]);
        const [read] = await store.readStream(stream);
        expect(read!.data).toEqual(event.data);
        expect(read!.metadata).toEqual(event.metadata);
        expect(read!.streamName).toBe(stream);
      });

      it('refuses an empty append and an invalid stream name', async () => {
        await expect(store.appendToStream(uniqueStream(), [])).rejects.toThrow();
        await expect(store.appendToStream('not a stream', [testEvent('A')])).rejects.toThrow(/stream name/);
      });
    });

    describe('concurrent appends to one stream', () => {
      it('lets exactly one of many writers at the same expected revision win', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent('Created')], { expectedRevision: 'no-stream' });
        const attempts = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.appendToStream(stream, [testEvent('Booked', { i })], { expectedRevision: 0 })),
        );
        const won = attempts.filter((a) => a.status === 'fulfilled');
        const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('lets exactly one of many writers creating the same new stream win', async () => {
        const stream = uniqueStream();
        const attempts = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [testEvent('Created')], { expectedRevision: 'no-stream' })),
        );
        expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('reading', () => {
      it('reads a stream forwards from a revision, with a limit', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, Array.from({ length: 10 }, (_, i) => testEvent('N', { i })));
        const fromFour = await store.readStream(stream, { fromRevision: 4, limit: 3 });
        expect(fromFour.map((e) => e.data.i)).toEqual([4, 5, 6]);
        expect(await store.readStream(uniqueStream())).toEqual([]);
      });

      it('reads all from a global position in increasing order', async () => {
        const head = await store.headPosition();
        const a = uniqueStream();
        const b = uniqueStream();
        await store.appendToStream(a, [testEvent('A1')]);
        await store.appendToStream(b, [testEvent('B1')]);
        await store.appendToStream(a, [testEvent('A2')]);
        const all = await store.readAll({ after: head, limit: 100 });
        const mine = all.filter((e) => e.streamName === a || e.streamName === b);
        expect(mine.map((e) => e.type)).toEqual(['A1', 'B1', 'A2']);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position).toBeGreaterThan(all[i - 1]!.position);
        const afterFirst = await store.readAll({ after: mine[0]!.position, limit: 100 });
        expect(afterFirst.some((e) => e.metadata.eventId === mine[0]!.metadata.eventId)).toBe(false);
        expect(afterFirst.some((e) => e.metadata.eventId === mine[1]!.metadata.eventId)).toBe(true);
      });

      it('filters read-all by event type and by stream prefix', async () => {
        const head = await store.headPosition();
        const tag = randomUUID().slice(0, 8);
        const prefix = `contract.filter${tag}-`;
        await store.appendToStream(`${prefix}1`, [testEvent(`Kept${tag}`), testEvent(`Dropped${tag}`)]);
        await store.appendToStream(`contract.other${tag}-1`, [testEvent(`Kept${tag}`)]);
        const byType = await store.readAll({ after: head, filter: { eventTypes: [`Kept${tag}`] } });
        expect(byType.map((e) => e.streamName)).toEqual([`${prefix}1`, `contract.other${tag}-1`]);
        const byPrefix = await store.readAll({ after: head, filter: { streamPrefix: prefix } });
        expect(byPrefix.map((e) => e.type)).toEqual([`Kept${tag}`, `Dropped${tag}`]);
        const both = await store.readAll({ after: head, filter: { streamPrefix: prefix, eventTypes: [`Dropped${tag}`] } });
        expect(both.map((e) => e.type)).toEqual([`Dropped${tag}`]);
      });

      it('treats LIKE wildcards in a stream prefix literally', async () => {
        const head = await store.headPosition();
        const tag = randomUUID().slice(0, 8);
        await store.appendToStream(`contract.pct${tag}-x`, [testEvent('P')]);
        expect(await store.readAll({ after: head, filter: { streamPrefix: `contract.p_t${tag}` } })).toEqual([]);
        expect(await store.readAll({ after: head, filter: { streamPrefix: `contract.%${tag}` } })).toEqual([]);
      });

      it('appends and reads back a large batch in one go', async () => {
        const stream = uniqueStream('batch');
        const events = Array.from({ length: 2000 }, (_, i) => testEvent('Bulk', { i, pad: 'x'.repeat(100) }));
        const result = await store.appendToStream(stream, events, { expectedRevision: 'no-stream' });
        expect(result.nextExpectedRevision).toBe(1999);
        const read = await store.readStream(stream);
        expect(read).toHaveLength(2000);
        expect(read.map((e) => e.data.i)).toEqual(events.map((_, i) => i));
        const positions = read.map((e) => e.position);
        expect(new Set(positions).size).toBe(2000);
      });
    });

    describe('append to many streams at once', () => {
      it('appends to new and existing streams, numbering each stream on its own, in order', async () => {
        const a = uniqueStream('many');
        const b = uniqueStream('many');
        await store.appendToStream(b, [testEvent('B0')]);
        const head = await store.headPosition();
        const results = await store.appendMany([
          { streamName: a, events: [testEvent('A0'), testEvent('A1')], expectedRevision: 'no-stream' },
          { streamName: b, events: [testEvent('B1')], expectedRevision: 0 },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 1]);
        expect((await store.readStream(a)).map((e) => [e.type, e.streamRevision])).toEqual([['A0', 0], ['A1', 1]]);
        expect((await store.readStream(b)).map((e) => [e.type, e.streamRevision])).toEqual([['B0', 0], ['B1', 1]]);
        const all = await store.readAll({ after: head });
        expect(all.map((e) => e.type)).toEqual(['A0', 'A1', 'B1']);
        expect(results[1]!.position).toBe(all[2]!.position);
      });

      it('refuses a stale expected revision with a concurrency error, writing nothing when atomic', async () => {
        const a = uniqueStream('many');
        const b = uniqueStream('many');
        await store.appendToStream(b, [testEvent('B0')]);
        await expect(
          store.appendMany([
            { streamName: a, events: [testEvent('A0')], expectedRevision: 'no-stream' },
            { streamName: b, events: [testEvent('B1')], expectedRevision: 'no-stream' },
          ]),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        if (store.atomicAppendMany) expect(await store.readStream(a)).toEqual([]);
        expect(await store.readStream(b)).toHaveLength(1);
      });

      it('appends nothing for an empty list', async () => {
        expect(await store.appendMany([])).toEqual([]);
      });

      it('refuses, writing nothing, a part without events, a stream twice or a bad stream name', async () => {
        const a = uniqueStream('many');
        const b = uniqueStream('many');
        const head = await store.headPosition();
        const refused: StreamAppend[][] = [
          [{ streamName: a, events: [testEvent('A0')] }, { streamName: b, events: [] }],
          [{ streamName: a, events: [testEvent('A0')] }, { streamName: b, events: [testEvent('B0')] }, { streamName: a, events: [testEvent('A1')] }],
          [{ streamName: a, events: [testEvent('A0')] }, { streamName: 'not a stream', events: [testEvent('X')] }],
        ];
        for (const appends of refused) await expect(store.appendMany(appends)).rejects.toBeInstanceOf(TypeError);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(a)).toEqual([]);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers history, reports caught up, then delivers live events in order', async () => {
        const head = await store.headPosition();
        const tag = randomUUID().slice(0, 8);
        const stream = `contract.sub${tag}-1`;
        await store.appendToStream(stream, [testEvent('H1'), testEvent('H2')]);
        const seen: RecordedEvent[] = [];
        let caughtUpAt = -1;
        const subscription = store.subscribeToAll(
          { after: head, filter: { streamPrefix: `contract.sub${tag}` }, onCaughtUp: (p) => (caughtUpAt = p) },
          (events) => {
            seen.push(...events);
          },
        );
        await waitUntil(() => caughtUpAt >= 0);
        expect(seen.map((e) => e.type)).toEqual(['H1', 'H2']);
        await store.appendToStream(stream, [testEvent('L1')]);
        await store.appendToStream(`contract.unrelated-${tag}`, [testEvent('X')]);
        await store.appendToStream(stream, [testEvent('L2')]);
        await waitUntil(() => seen.length >= 4);
        await subscription.stop();
        expect(seen.map((e) => e.type)).toEqual(['H1', 'H2', 'L1', 'L2']);
        expect(subscription.position).toBe(seen[3]!.position);
      });

      it('filters a subscription by event type', async () => {
        const head = await store.headPosition();
        const tag = randomUUID().slice(0, 8);
        const seen: string[] = [];
        const subscription = store.subscribeToAll({ after: head, filter: { eventTypes: [`Wanted${tag}`] } }, (events) => {
          seen.push(...events.map((e) => e.type));
        });
        await store.appendToStream(uniqueStream(), [testEvent(`Other${tag}`), testEvent(`Wanted${tag}`)]);
        await waitUntil(() => seen.length >= 1);
        await subscription.stop();
        expect(seen).toEqual([`Wanted${tag}`]);
      });

      it('resumes after a checkpoint without repeating events', async () => {
        const tag = randomUUID().slice(0, 8);
        const stream = `contract.resume${tag}-1`;
        await store.appendToStream(stream, [testEvent('R1'), testEvent('R2'), testEvent('R3')]);
        const [first] = await store.readStream(stream);
        const seen: string[] = [];
        const subscription = store.subscribeToAll(
          { after: first!.position, filter: { streamPrefix: `contract.resume${tag}` } },
          (events) => {
            seen.push(...events.map((e) => e.type));
          },
        );
        await waitUntil(() => seen.length >= 2);
        await subscription.stop();
        expect(seen).toEqual(['R2', 'R3']);
      });

      it('stops and reports when its handler fails', async () => {
        const head = await store.headPosition();
        await store.appendToStream(uniqueStream(), [testEvent('Boom')]);
        let reported: unknown;
        const subscription = store.subscribeToAll(
          { after: head, onError: (e) => (reported = e) },
          () => {
            throw new Error('handler failed');
          },
        );
        await subscription.done;
        expect(String(reported)).toContain('handler failed');
      });
    });
  });
}
