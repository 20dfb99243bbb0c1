/** Child process for the crash test: runs the counting projection against DATABASE_URL until killed. */
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { ProjectionRunner } from '../../src/shared-kernel/projections/projection-runner.ts';
import { PgDatabase } from '../../src/shared-kernel/sql/pg-database.ts';
import { countingProjection } from './counting.projection.ts';

const db = new PgDatabase(process.env.DATABASE_URL!);
const store = await SqlEventStore.open(db, { pollIntervalMs: 20 });
// Small batches: many transactions, so a kill lands between a read-model write and the next batch often.
const runner = new ProjectionRunner(store, db, { batchSize: 7, onError: (_, e) => console.error(e) });
runner.register(countingProjection());
await runner.start();
process.send?.('started');
