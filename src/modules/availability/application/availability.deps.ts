import type { CommandHandler } from '../../../shared-kernel/application/command-handler.ts';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { SlotCommand, SlotEvent, SlotState } from '../domain/slot.decider.ts';

/** What the availability use cases need, bound in the module's container. */
export interface AvailabilityDeps {
  readonly slots: CommandHandler<SlotCommand, SlotEvent, SlotState>;
  readonly eventStore: EventStore;
  readonly readDb: SqlExecutor;
  readonly clock: () => Date;
  readonly newId: () => string;
}
