/**
 * The embedded default (`npm start` with nothing configured): one vendor simulator on loopback, serving the demo
 * département's first practitioners (the simulator's defaults), registered as a vendor so that aggregation works out
 * of the box. Only with the demo directory (never with DEMO_DIRECTORY=none, as in the tests) and never in production.
 */
import type { Config } from '../../../../shared-kernel/config/config.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import { createVendorSimulator, type VendorSimulator } from '../vendor-sim/vendor-sim.server.ts';
import { vendorSchema, type VendorConfig } from './vendor-registry.ts';

/** Its vendor id (as a machine client id would be). */
export const EMBEDDED_VENDOR_ID = 'vendor-sim';

export const wantsEmbeddedVendor = (config: Config): boolean =>
  !config.vendorsFile && config.nodeEnv !== 'production' && config.demoData && config.demoDirectory.scale !== 'none' && config.role === 'all';

export async function startEmbeddedVendor(logger: Logger): Promise<{ simulator: VendorSimulator; vendor: VendorConfig }> {
  const simulator = await createVendorSimulator({ vendor: 'Simulateur d’éditeur', host: '127.0.0.1', port: 0, logger });
  const vendor = vendorSchema.parse({
    id: EMBEDDED_VENDOR_ID,
    name: 'Simulateur d’éditeur (intégré)',
    fhirBaseUrl: simulator.fhirBaseUrl,
    capability: simulator.capability,
    practitioners: [...simulator.practitioners],
    sosMedecins: [],
    pollingPeriodMs: 30_000,
  });
  logger.info({ vendorId: vendor.id, fhirBaseUrl: vendor.fhirBaseUrl, practitioners: simulator.practitioners.length }, 'embedded vendor simulator started');
  return { simulator, vendor };
}
