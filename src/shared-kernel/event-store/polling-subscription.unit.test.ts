import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../events/envelope.ts';
import { PollingSubscription, type PollingSource } from './polling-subscription.ts';

/** An in-memory log of `count` events, of which the source lets through those `matches` accepts (a filter). */
function log(count: number, matches: (position: number) => boolean) {
  const reads: number[] = [];
  const events = Array.from({ length: count }, (_, i) => ({ position: i + 1, type: 'E' }) as unknown as RecordedEvent);
  const wakeUps = new Set<() => void>();
  const source: PollingSource = {
    read: async (after, limit) => {
      reads.push(after);
      return events.filter((e) => e.position > after && matches(e.position)).slice(0, limit);
    },
    head: async () => events.length,
    onAppend: (listener) => {
      wakeUps.add(listener);
      return () => wakeUps.delete(listener);
    },
    pollIntervalMs: 5,
  };
  const append = (n: number) => {
    for (let i = 0; i < n; i++) events.push({ position: events.length + 1, type: 'E' } as unknown as RecordedEvent);
    for (const w of wakeUps) w();
  };
  return { source, reads, append };
}

describe('PollingSubscription', () => {
  it('does not read again the part of the log its filter has already scanned', async () => {
    // Only events 3 and 1,005 match; the log has 1,000 events, then 10 more.
    const { source, reads, append } = log(1000, (p) => p === 3 || p === 1005);
    const seen: number[] = [];
    const subscription = new PollingSubscription(source, { after: 0, batchSize: 100 }, async (events) => {
      seen.push(...events.map((e) => e.position));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([3]);
    expect(subscription.scannedTo).toBe(1000);
    // Once caught up, every poll starts at the head it had seen, not back at event 3.
    expect(reads.slice(2).every((after) => after === 1000)).toBe(true);
    append(10);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([3, 1005]);
    expect(reads.at(-1)).toBe(1010);
    await subscription.stop();
  });
});
