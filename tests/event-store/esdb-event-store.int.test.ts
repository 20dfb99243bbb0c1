/**
 * The event-store contract against EventStoreDB/KurrentDB. It needs a running server, which the test set-up does
 * not start: set EVENTSTORE_URL, e.g. `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`
 * (docker run -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=All).
 * Every test of the contract writes to fresh, randomly named streams and reads `$all` from the head position it
 * took first, so it can run against a server that already holds events (or other test runs).
 */
import { describe, it } from 'vitest';
import { EsdbEventStore } from '../../src/shared-kernel/event-store/esdb-event-store.ts';
import { eventStoreContract } from '../contracts/event-store.contract.ts';

const eventstoreUrl = process.env.EVENTSTORE_URL;

if (eventstoreUrl) {
  eventStoreContract(
    'EventStoreDB',
    () => EsdbEventStore.connect(eventstoreUrl),
    (store) => store.close(),
  );
} else {
  describe.skip('EventStore contract: EventStoreDB — needs EVENTSTORE_URL (e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false)', () => {
    it('runs the event-store contract suite against an EventStoreDB server', () => {});
  });
}
