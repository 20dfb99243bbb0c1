import type { PlatformModule } from '../../shared-kernel/platform-module.ts';
import { CommandHandler } from '../../shared-kernel/application/command-handler.ts';
import { TOKENS } from '../../shared-kernel/tokens.ts';
import { seedDemoSlots } from './application/demo/demo-slots.ts';
import { seedDemoAgendas } from './application/demo/demo-agendas.ts';
import { isDemoRpps } from '../../shared-kernel/ids/rpps.id.ts';
import { listFreeSlotsRoutes } from './application/list-free-slots/list-free-slots.route.ts';
import { publishSlotRoute } from './application/publish-slot/publish-slot.route.ts';
import { withdrawSlotRoute } from './application/withdraw-slot/withdraw-slot.route.ts';
import { AVAILABILITY } from './availability.tokens.ts';
import { slotDecider } from './domain/slot.decider.ts';
import { freeSlotsProjection } from './infrastructure/free-slots.projection.ts';
import { agendaRoutes } from './application/agenda/agenda.routes.ts';
import { agendaStreamDecider } from './domain/agenda.public-events.ts';
import { structureManagersProjection } from './infrastructure/structure-managers.projection.ts';
import { bookSlotRoute } from './application/book-slot/book-slot.route.ts';
import { cancelBookingRoute } from './application/cancel-booking/cancel-booking.route.ts';
import { slotIndexProjection } from './infrastructure/slot-index.projection.ts';
import { mountFhirApi } from './application/report-appointment/fhir-appointment.routes.ts';
import { vendorAppointmentsProjection } from './infrastructure/vendor-appointments.projection.ts';
import type { Container } from 'inversify';
import { registerAggregationJobs, scheduleAggregation } from './application/aggregate-vendor-slots/aggregate-vendor-slots.job.ts';
import { vendorsRoute } from './application/aggregate-vendor-slots/vendors.route.ts';
import { vendorDisplayRoute } from './application/vendor-display/vendor-display.route.ts';
import { knownPractitionersProjection } from './infrastructure/known-practitioners.projection.ts';
import { vendorDisplayProjection } from './infrastructure/vendor-display.projection.ts';
import { createAggregationTables } from './infrastructure/vendors/vendor-aggregation.store.ts';
import { connectEmbeddedVendorAppointments, startEmbeddedVendor, wantsEmbeddedVendor } from './infrastructure/vendors/embedded-vendor.ts';
import { vendorBookingRoute } from './application/vendor-booking/vendor-booking.route.ts';
import { loadVendorsFile, VendorRegistry } from './infrastructure/vendors/vendor-registry.ts';
import type { VendorSimulator } from './infrastructure/vendor-sim/vendor-sim.server.ts';
import { registerRegulatorPushJobs, scheduleRegulatorSweep, type RegulatorPushDeps } from './application/regulator-push/regulator-push.job.ts';
import { regulatorPushReactor } from './application/regulator-push/regulator-push.reactor.ts';
import { regulatorPushRoutes } from './application/regulator-push/regulator-push.routes.ts';
import { createRegulatorPushTables } from './infrastructure/regulator-push/regulator-push.store.ts';

/** Regulator accounts pushed to the end-to-end vendors (INT_R02): the vendor registry, the database and the job queue. */
const regulatorPushDeps = (container: Container): RegulatorPushDeps => ({ ...container.get(AVAILABILITY.aggregation), jobs: container.get(TOKENS.jobs) });

/** The embedded vendor simulator of a running platform (embedded default only). */
const embeddedSimulators = new WeakMap<Container, VendorSimulator>();

export { seedDemoAgendas } from './application/demo/demo-agendas.ts';

/** Availability: manual agendas of effecteurs (slots), later vendor aggregation and booking. */
export const availabilityModule: PlatformModule = {
  name: 'availability',
  register(container) {
    container.bind(AVAILABILITY.deps).toDynamicValue((ctx) => ({
      slots: new CommandHandler(ctx.get(TOKENS.eventStore), slotDecider, ctx.get(TOKENS.newId)),
      agendas: new CommandHandler(ctx.get(TOKENS.eventStore), agendaStreamDecider, ctx.get(TOKENS.newId)),
      eventStore: ctx.get(TOKENS.eventStore),
      readDb: ctx.get(TOKENS.readDb),
      clock: ctx.get(TOKENS.clock),
      newId: ctx.get(TOKENS.newId),
    })).inSingletonScope();
    // The vendor registry is read and validated here, at start-up: a bad VENDORS_FILE stops the platform.
    const config = container.get(TOKENS.config);
    const registry = new VendorRegistry(config.vendorsFile ? loadVendorsFile(config.vendorsFile, { production: config.nodeEnv === 'production' }) : []);
    container.bind(AVAILABILITY.aggregation).toDynamicValue((ctx) => ({
      eventStore: ctx.get(TOKENS.eventStore),
      readDb: ctx.get(TOKENS.readDb),
      clock: ctx.get(TOKENS.clock),
      newId: ctx.get(TOKENS.newId),
      logger: ctx.get(TOKENS.logger),
      registry,
    })).inSingletonScope();
  },
  async init(container) {
    await createAggregationTables(container.get(TOKENS.readDb));
    await createRegulatorPushTables(container.get(TOKENS.readDb));
  },
  api(container) {
    const deps = container.get(AVAILABILITY.deps);
    return [publishSlotRoute(deps), withdrawSlotRoute(deps), ...listFreeSlotsRoutes(deps), ...agendaRoutes(deps), bookSlotRoute(deps), cancelBookingRoute(deps), vendorDisplayRoute(deps), vendorsRoute(container.get(AVAILABILITY.aggregation)), ...regulatorPushRoutes(regulatorPushDeps(container)), vendorBookingRoute(deps, container.get(AVAILABILITY.aggregation).registry, container.get(TOKENS.logger))];
  },
  // The FHIR endpoint where booking vendors report appointments (/fhir/Appointment), OperationOutcome errors.
  web(container, router, registry) {
    mountFhirApi(router, registry, container.get(AVAILABILITY.deps), {
      authenticate: container.get(TOKENS.authenticate),
      bodyLimitBytes: container.get(TOKENS.config).bodyLimitBytes,
      logger: container.get(TOKENS.logger),
    });
  },
  projections: (container) => [freeSlotsProjection, structureManagersProjection, slotIndexProjection, vendorAppointmentsProjection, vendorDisplayProjection, knownPractitionersProjection, regulatorPushReactor(regulatorPushDeps(container))],
  // Vendor slot aggregation: one repeatable poll per vendor and batch (and the embedded simulator by default).
  async jobs(container, jobs) {
    const aggregation = container.get(AVAILABILITY.aggregation);
    registerAggregationJobs(jobs, aggregation);
    // Regulator accounts pushed to the end-to-end vendors (INT_R02): one job per account change and vendor, a sweep.
    registerRegulatorPushJobs(jobs, regulatorPushDeps(container));
    await scheduleRegulatorSweep(jobs);
    const config = container.get(TOKENS.config);
    if (wantsEmbeddedVendor(config) && aggregation.registry.all().length === 0) {
      const { simulator, vendor } = await startEmbeddedVendor(container.get(TOKENS.logger));
      embeddedSimulators.set(container, simulator);
      aggregation.registry.add(vendor);
    }
    await scheduleAggregation(aggregation, jobs);
  },
  // The embedded simulator reports the appointments booked on its page to this platform, as its demo machine client.
  async started(container, { publicUrl }) {
    const simulator = embeddedSimulators.get(container);
    if (simulator) await connectEmbeddedVendorAppointments(simulator, container.get(TOKENS.demoMachineClients), publicUrl, container.get(TOKENS.logger));
  },
  async stopped(container) {
    await embeddedSimulators.get(container)?.stop();
    embeddedSimulators.delete(container);
  },
  async demo(container) {
    const deps = container.get(AVAILABILITY.deps);
    await seedDemoSlots(deps);
    // Slots for the synthetic demo directory, when the directory module seeded one before us.
    await seedDemoAgendas(deps, { isDemo: isDemoRpps });
  },
};
