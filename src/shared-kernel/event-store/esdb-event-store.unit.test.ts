/**
 * The pure mappings of the EventStoreDB adapter. The adapter itself runs the contract suite only when a server is
 * reachable (tests/event-store/esdb-event-store.int.test.ts with EVENTSTORE_URL); these tests run everywhere.
 */
import { ANY, EVENT_TYPE, NO_STREAM, START, STREAM_EXISTS, STREAM_NAME, WrongExpectedVersionError } from '@eventstore/db-client';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../events/envelope.ts';
import {
  CatchUpTracker,
  comparePositions,
  escapeRegex,
  EsdbEventStore,
  EsdbSubscription,
  type EsdbRecorded,
  type SubscriptionSource,
  isSystemEvent,
  matchesFilter,
  toConcurrencyError,
  toEsdbExpectedRevision,
  toEsdbReadPosition,
  toPortPosition,
  toServerFilter,
} from './esdb-event-store.ts';
import { ConcurrencyError, type SubscribeOptions, type SubscriptionHandler } from './event-store.port.ts';

describe('expected revision mapping', () => {
  it('maps the named revisions to the client constants and a number to a bigint', () => {
    expect(toEsdbExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('stream-exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
  });

  it('refuses a revision that is not a non-negative safe integer', () => {
    expect(() => toEsdbExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toEsdbExpectedRevision(1.5)).toThrow(RangeError);
    expect(() => toEsdbExpectedRevision(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe('position mapping', () => {
  it('uses the commit position as the port position', () => {
    expect(toPortPosition({ commit: 0n, prepare: 0n })).toBe(0);
    expect(toPortPosition({ commit: 1234n, prepare: 1234n })).toBe(1234);
    expect(toPortPosition({ commit: BigInt(Number.MAX_SAFE_INTEGER), prepare: 0n })).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a commit position beyond 2^53 - 1 or below 0 instead of rounding it', () => {
    expect(() => toPortPosition({ commit: BigInt(Number.MAX_SAFE_INTEGER) + 1n, prepare: 0n })).toThrow(RangeError);
    expect(() => toPortPosition({ commit: -1n, prepare: -1n })).toThrow(RangeError);
  });

  it('maps a checkpoint back to {commit, prepare}, and 0 to the start of $all', () => {
    expect(toEsdbReadPosition(0)).toBe(START);
    expect(toEsdbReadPosition(4096)).toEqual({ commit: 4096n, prepare: 4096n });
    expect(() => toEsdbReadPosition(-5)).toThrow(RangeError);
    expect(() => toEsdbReadPosition(2 ** 53)).toThrow(RangeError);
    expect(() => toEsdbReadPosition(1.5)).toThrow(RangeError);
  });

  it('orders positions by commit, then prepare', () => {
    expect(comparePositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBe(-1);
    expect(comparePositions({ commit: 2n, prepare: 3n }, { commit: 2n, prepare: 2n })).toBe(1);
    expect(comparePositions({ commit: 7n, prepare: 7n }, { commit: 7n, prepare: 7n })).toBe(0);
  });
});

describe('system events and filters', () => {
  it('recognises system events by a $-prefixed type or stream', () => {
    expect(isSystemEvent('$>', '$ce-contract')).toBe(true);
    expect(isSystemEvent('$metadata', '$$contract.thing-1')).toBe(true);
    expect(isSystemEvent('SomethingHappened', '$stats-127.0.0.1:2113')).toBe(true);
    expect(isSystemEvent('SlotBooked', 'booking.slot-1')).toBe(false);
  });

  it('applies event types exactly and the stream prefix literally, both when both are set', () => {
    const filter = { eventTypes: ['Kept'], streamPrefix: 'contract.p_t' };
    expect(matchesFilter(undefined, 'Any', 'a.b-1')).toBe(true);
    expect(matchesFilter({ eventTypes: ['Kept'] }, 'Kept', 'a.b-1')).toBe(true);
    expect(matchesFilter({ eventTypes: ['Kept'] }, 'KeptToo', 'a.b-1')).toBe(false);
    expect(matchesFilter({ eventTypes: [] }, 'Kept', 'a.b-1')).toBe(false);
    expect(matchesFilter(filter, 'Kept', 'contract.p_tx-1')).toBe(true);
    expect(matchesFilter(filter, 'Kept', 'contract.pctx-1')).toBe(false);
    expect(matchesFilter(filter, 'Dropped', 'contract.p_tx-1')).toBe(false);
  });

  it('builds the server-side filter: stream prefix first, else exact types, else no system events', () => {
    const byPrefix = toServerFilter({ streamPrefix: 'contract.sub', eventTypes: ['X'] });
    expect(byPrefix).toMatchObject({ filterOn: STREAM_NAME, prefixes: ['contract.sub'] });
    const byType = toServerFilter({ eventTypes: ['Slot.Booked', 'A|B'] });
    expect(byType).toMatchObject({ filterOn: EVENT_TYPE });
    const regex = new RegExp((byType as { regex: string }).regex);
    expect(regex.test('Slot.Booked')).toBe(true);
    expect(regex.test('A|B')).toBe(true);
    expect(regex.test('SlotxBooked')).toBe(false);
    expect(regex.test('A')).toBe(false);
    expect(regex.test('Slot.BookedLater')).toBe(false);
    const none = toServerFilter(undefined);
    expect(none).toMatchObject({ filterOn: EVENT_TYPE });
    expect(new RegExp((none as { regex: string }).regex).test('$>')).toBe(false);
  });

  it('passes filter checkpoints on', () => {
    const seen: bigint[] = [];
    const filter = toServerFilter({ streamPrefix: 'x.' }, (p) => seen.push(p.commit));
    void filter.checkpointReached?.({} as never, { commit: 5n, prepare: 5n });
    expect(seen).toEqual([5n]);
  });

  it('escapes every regular-expression metacharacter', () => {
    const literal = String.raw`a.b*c+d?e^f$g(h)i[j]k{l}m|n\o`;
    expect(new RegExp(`^${escapeRegex(literal)}$`).test(literal)).toBe(true);
  });
});

describe('error mapping', () => {
  it('maps a WrongExpectedVersionError to the port ConcurrencyError with the same fields as the SQL adapter', () => {
    const stale = new WrongExpectedVersionError(undefined, { streamName: 'contract.thing-1', expected: 1n, current: 2n });
    const mapped = toConcurrencyError(stale, 'contract.thing-1', 1);
    expect(mapped).toBeInstanceOf(ConcurrencyError);
    expect(mapped).toMatchObject({ streamName: 'contract.thing-1', expected: 1, actual: 2 });
    expect(mapped?.cause).toBe(stale);
  });

  it('reports a missing stream as no-stream', () => {
    const missing = new WrongExpectedVersionError(undefined, { streamName: 's.t-1', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(toConcurrencyError(missing, 's.t-1', 'stream-exists')).toMatchObject({ expected: 'stream-exists', actual: 'no-stream' });
    const minusOne = new WrongExpectedVersionError(undefined, { streamName: 's.t-1', expected: 0n, current: -1n });
    expect(toConcurrencyError(minusOne, 's.t-1', 0)).toMatchObject({ actual: 'no-stream' });
  });

  it('leaves other errors alone', () => {
    expect(toConcurrencyError(new Error('boom'), 's.t-1', 'any')).toBeUndefined();
    expect(toConcurrencyError(undefined, 's.t-1', 'any')).toBeUndefined();
  });
});

describe('catch-up tracking', () => {
  it('is caught up at once when nothing lies after the start position', () => {
    const tracker = new CatchUpTracker(100, 100);
    expect(tracker.takeReport()).toBe(true);
    expect(tracker.takeReport()).toBe(false);
  });

  it('waits for the events delivered before the server caughtUp signal to be handled', () => {
    const tracker = new CatchUpTracker(0, 500);
    tracker.received(3); // a batch of 3 is in the handler
    tracker.serverCaughtUp(2); // 2 more were buffered before the signal
    expect(tracker.takeReport()).toBe(false);
    tracker.handled(3, 200);
    expect(tracker.takeReport()).toBe(false);
    tracker.received(2);
    tracker.handled(2, 300);
    expect(tracker.takeReport()).toBe(true);
    expect(tracker.takeReport()).toBe(false);
  });

  it('reports at once when the server signal comes with nothing pending', () => {
    const tracker = new CatchUpTracker(0, 500);
    tracker.received(1);
    tracker.handled(1, 100);
    tracker.serverCaughtUp(0);
    expect(tracker.takeReport()).toBe(true);
  });

  it('falls back on the head position: a handled event or a filter checkpoint that reaches it', () => {
    const byEvent = new CatchUpTracker(0, 500);
    byEvent.received(2);
    byEvent.handled(2, 499);
    expect(byEvent.takeReport()).toBe(false);
    byEvent.received(1);
    byEvent.handled(1, 500);
    expect(byEvent.takeReport()).toBe(true);

    const byCheckpoint = new CatchUpTracker(0, 500);
    byCheckpoint.checkpoint(400, 0);
    expect(byCheckpoint.takeReport()).toBe(false);
    byCheckpoint.received(1);
    byCheckpoint.checkpoint(600, 1); // one more event was buffered before the checkpoint
    expect(byCheckpoint.takeReport()).toBe(false);
    byCheckpoint.received(1);
    byCheckpoint.handled(2, 550);
    expect(byCheckpoint.takeReport()).toBe(true);
  });
});

describe('EsdbEventStore', () => {
  it('fails to connect, and frees its client, when no server answers', async () => {
    await expect(EsdbEventStore.connect('esdb://127.0.0.1:1?tls=false')).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
  }, 30_000);
});

/** A stand-in for the client's subscription stream: an object-mode pass-through that records its cancellation. */
function fakeServer(head: number) {
  const stream = new PassThrough({ objectMode: true });
  const state = { unsubscribed: false, from: undefined as unknown, filter: undefined as unknown };
  Object.assign(stream, {
    unsubscribe: async () => {
      state.unsubscribed = true;
    },
  });
  const source: SubscriptionSource = {
    subscribe: (from, filter) => {
      state.from = from;
      state.filter = filter;
      return stream as never;
    },
    head: async () => head,
    toRecorded: (event) =>
      ({ type: event.type, data: event.data, streamName: event.streamId, position: Number(event.position!.commit) }) as RecordedEvent,
  };
  const push = (position: number, type = 'Happened', streamId = 'contract.thing-1') =>
    stream.write({
      event: {
        streamId,
        id: `id-${position}`,
        revision: 0n,
        type,
        data: {},
        metadata: {},
        isJson: true,
        created: new Date(),
        position: { commit: BigInt(position), prepare: BigInt(position) },
      } as EsdbRecorded,
    });
  return { stream, state, source, push };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(predicate()).toBe(true);
}

function subscribe(source: SubscriptionSource, options: SubscribeOptions, handler: SubscriptionHandler) {
  return new EsdbSubscription(source, options, handler);
}

describe('EsdbSubscription over a fake client stream', () => {
  it('delivers history in batches, reports caught up after handling it, then delivers live events', async () => {
    const server = fakeServer(30);
    const batches: number[][] = [];
    const log: string[] = [];
    const subscription = subscribe(
      server.source,
      { after: 0, batchSize: 2, onCaughtUp: (p) => log.push(`caught up at ${p}`) },
      async (events) => {
        batches.push(events.map((e) => e.position));
        log.push(`handled ${events.length}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    );
    await until(() => server.state.from !== undefined);
    server.push(10);
    server.push(20);
    server.push(25);
    server.stream.emit('caughtUp');
    await until(() => log.some((l) => l.startsWith('caught up')));
    expect(log).toEqual(['handled 2', 'handled 1', 'caught up at 30']);
    server.push(40);
    await until(() => batches.length === 3);
    await subscription.stop();
    expect(batches).toEqual([[10, 20], [25], [40]]);
    expect(subscription.position).toBe(40);
    expect(server.state.unsubscribed).toBe(true);
  });

  it('falls back on the head position when the server sends no caughtUp', async () => {
    const server = fakeServer(20);
    let caughtUpAt = -1;
    const subscription = subscribe(server.source, { onCaughtUp: (p) => (caughtUpAt = p) }, () => {});
    await until(() => server.state.from !== undefined);
    server.push(10);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(caughtUpAt).toBe(-1);
    server.push(20);
    await until(() => caughtUpAt === 20);
    await subscription.stop();
  });

  it('reports caught up at once when it starts at the head', async () => {
    const server = fakeServer(50);
    let caughtUpAt = -1;
    const subscription = subscribe(server.source, { after: 50, onCaughtUp: (p) => (caughtUpAt = p) }, () => {});
    await until(() => caughtUpAt === 50);
    expect(server.state.from).toEqual({ commit: 50n, prepare: 50n });
    await subscription.stop();
  });

  it('skips system events, events at or before its start, and events outside the filter', async () => {
    const server = fakeServer(100);
    const seen: number[] = [];
    const subscription = subscribe(server.source, { after: 10, filter: { eventTypes: ['Wanted'] } }, (events) => {
      seen.push(...events.map((e) => e.position));
    });
    await until(() => server.state.from !== undefined);
    expect(server.state.filter).toMatchObject({ filterOn: EVENT_TYPE });
    server.push(10, 'Wanted');
    server.push(11, '$>', '$ce-contract');
    server.push(12, 'Other');
    server.push(13, 'Wanted');
    server.push(13, 'Wanted');
    await until(() => seen.length >= 1);
    await subscription.stop();
    expect(seen).toEqual([13]);
  });

  it('stops and reports when its handler fails', async () => {
    const server = fakeServer(100);
    let reported: unknown;
    const subscription = subscribe(server.source, { onError: (e) => (reported = e) }, () => {
      throw new Error('handler failed');
    });
    await until(() => server.state.from !== undefined);
    server.push(5);
    await subscription.done;
    expect(String(reported)).toContain('handler failed');
    expect(server.state.unsubscribed).toBe(true);
  });

  it('reports a server error to onError', async () => {
    const server = fakeServer(100);
    let reported: unknown;
    const subscription = subscribe(server.source, { onError: (e) => (reported = e) }, () => {});
    await until(() => server.state.from !== undefined);
    server.stream.destroy(new Error('subscription dropped'));
    await subscription.done;
    expect(String(reported)).toContain('subscription dropped');
  });

  it('reports the end of the server stream, which only stop() may cause', async () => {
    const server = fakeServer(100);
    let reported: unknown;
    const subscription = subscribe(server.source, { onError: (e) => (reported = e) }, () => {});
    await until(() => server.state.from !== undefined);
    server.stream.end();
    await subscription.done;
    expect(String(reported)).toContain('ended the subscription');
  });

  it('stops quietly while it waits for events', async () => {
    const server = fakeServer(0);
    let reported: unknown;
    const subscription = subscribe(server.source, { onError: (e) => (reported = e) }, () => {});
    await until(() => server.state.from !== undefined);
    await subscription.stop();
    await subscription.done;
    expect(reported).toBeUndefined();
  });
});
