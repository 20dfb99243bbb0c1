import type { CommandHandler } from '../../../shared-kernel/application/command-handler.ts';
import type { EventStore } from '../../../shared-kernel/event-store/event-store.port.ts';
import type { PractitionerCommand, PractitionerEvent, PractitionerState } from '../domain/practitioner.decider.ts';

/** What the directory use cases need, bound in the module's container. */
export interface DirectoryDeps {
  readonly practitioners: CommandHandler<PractitionerCommand, PractitionerEvent, PractitionerState>;
  readonly eventStore: EventStore;
  readonly clock: () => Date;
  readonly newId: () => string;
}
