import type { CommandHandler } from '../../../shared-kernel/application/command-handler.ts';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { SlotCommand, SlotEvent, SlotState } from '../domain/slot.decider.ts';
import type { AgendaCommand } from '../domain/agenda.decider.ts';
import type { AgendaStreamEvent } from '../domain/agenda.public-events.ts';
import type { AgendaState } from '../domain/agenda.state.ts';

/** What the availability use cases need, bound in the module's container. */
export interface AvailabilityDeps {
  readonly slots: CommandHandler<SlotCommand, SlotEvent, SlotState>;
  /** Effecteurs' manual agendas (stream `availability.agenda-<rpps>`), with their public events. */
  readonly agendas: CommandHandler<AgendaCommand, AgendaStreamEvent, AgendaState>;
  readonly eventStore: EventStore;
  readonly readDb: SqlExecutor;
  readonly clock: () => Date;
  readonly newId: () => string;
}
