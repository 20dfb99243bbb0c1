import type { PlatformModule } from '../../shared-kernel/platform-module.ts';
import { CommandHandler } from '../../shared-kernel/application/command-handler.ts';
import { TOKENS } from '../../shared-kernel/tokens.ts';
import { seedDemoSlots } from './application/demo/demo-slots.ts';
import { listFreeSlotsRoutes } from './application/list-free-slots/list-free-slots.route.ts';
import { publishSlotRoute } from './application/publish-slot/publish-slot.route.ts';
import { withdrawSlotRoute } from './application/withdraw-slot/withdraw-slot.route.ts';
import { AVAILABILITY } from './availability.tokens.ts';
import { slotDecider } from './domain/slot.decider.ts';
import { freeSlotsProjection } from './infrastructure/free-slots.projection.ts';

/** Availability: manual agendas of effecteurs (slots), later vendor aggregation and booking. */
export const availabilityModule: PlatformModule = {
  name: 'availability',
  register(container) {
    container.bind(AVAILABILITY.deps).toDynamicValue((ctx) => ({
      slots: new CommandHandler(ctx.get(TOKENS.eventStore), slotDecider, ctx.get(TOKENS.newId)),
      readDb: ctx.get(TOKENS.readDb),
      clock: ctx.get(TOKENS.clock),
      newId: ctx.get(TOKENS.newId),
    })).inSingletonScope();
  },
  api(container) {
    const deps = container.get(AVAILABILITY.deps);
    return [publishSlotRoute(deps), withdrawSlotRoute(deps), ...listFreeSlotsRoutes(deps)];
  },
  projections: () => [freeSlotsProjection],
  async demo(container) {
    await seedDemoSlots(container.get(AVAILABILITY.deps));
  },
};
