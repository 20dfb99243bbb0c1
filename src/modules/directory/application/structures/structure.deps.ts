import type { CommandHandler } from '../../../../shared-kernel/application/command-handler.ts';
import type { EventStore } from '../../../../shared-kernel/event-store/event-store.port.ts';
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { StructureCommand, StructureEvent, StructureState } from '../../domain/structure.decider.ts';

/** What the structure use cases (FINESS import, HTTP routes) need, bound in the directory module's container. */
export interface StructureDeps {
  readonly structures: CommandHandler<StructureCommand, StructureEvent, StructureState>;
  readonly eventStore: EventStore;
  /** The read database, where the `directory_structures` projection lives. */
  readonly readDb: SqlExecutor;
  readonly clock: () => Date;
  readonly newId: () => string;
}
