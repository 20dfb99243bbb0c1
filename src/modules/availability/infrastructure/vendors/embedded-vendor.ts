/**
 * The embedded default (`npm start` with nothing configured): one vendor simulator on loopback, serving the demo
 * département's first practitioners (the simulator's defaults), registered as an END-TO-END vendor so that
 * aggregation and booking work out of the box: the regulator is redirected to its booking page, and once the
 * platform listens the simulator reports the appointments booked there to the platform's FHIR endpoint as the demo
 * machine client `vendor-sim` (identity issues its secret in-process at each start). Only with the demo directory
 * (never with DEMO_DIRECTORY=none, as in the tests) and never in production.
 */
import type { Config } from '../../../../shared-kernel/config/config.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import { DEMO_SOS_MEDECINS_SIRET } from '../../../../shared-kernel/ids/siret.id.ts';
import { basicAuthorization, type DemoMachineClients } from '../../../../shared-kernel/auth/demo-machine-clients.ts';
import { createVendorSimulator, type VendorSimulator } from '../vendor-sim/vendor-sim.server.ts';
import { vendorSchema, type VendorConfig } from './vendor-registry.ts';

/** Its vendor id (as a machine client id would be). */
export const EMBEDDED_VENDOR_ID = 'vendor-sim';

export const wantsEmbeddedVendor = (config: Config): boolean =>
  !config.vendorsFile && config.nodeEnv !== 'production' && config.demoData && config.demoDirectory.scale !== 'none' && config.role === 'all';

export async function startEmbeddedVendor(logger: Logger): Promise<{ simulator: VendorSimulator; vendor: VendorConfig }> {
  const simulator = await createVendorSimulator({ vendor: 'Simulateur d’éditeur', host: '127.0.0.1', port: 0, sosMedecins: [DEMO_SOS_MEDECINS_SIRET], logger });
  const vendor = vendorSchema.parse({
    id: EMBEDDED_VENDOR_ID,
    name: 'Simulateur d’éditeur (intégré)',
    fhirBaseUrl: simulator.fhirBaseUrl,
    capability: simulator.capability,
    practitioners: [...simulator.practitioners],
    sosMedecins: [...simulator.sosMedecins],
    pollingPeriodMs: 30_000,
  });
  logger.info({ vendorId: vendor.id, fhirBaseUrl: vendor.fhirBaseUrl, practitioners: simulator.practitioners.length }, 'embedded vendor simulator started');
  return { simulator, vendor };
}

/**
 * Once the platform listens at `publicUrl`: the demo machine client of the simulator (registered, or its secret
 * rotated) and the simulator's appointment reports pointed at `{publicUrl}/fhir`. Answers whether it is connected; a
 * failure is logged (the simulator still serves its slots and booking page, the appointments are then not reported).
 */
export async function connectEmbeddedVendorAppointments(simulator: VendorSimulator, demoClients: DemoMachineClients, publicUrl: string, logger: Logger): Promise<boolean> {
  try {
    const credentials = await demoClients.issue({ clientId: EMBEDDED_VENDOR_ID, kind: 'vendor', name: 'Simulateur d’éditeur (intégré)' });
    if (!credentials) {
      logger.warn({ vendorId: EMBEDDED_VENDOR_ID }, 'embedded vendor simulator: no machine client, appointments booked on it are not reported');
      return false;
    }
    const endpoint = `${publicUrl.replace(/\/+$/, '')}/fhir`;
    simulator.setAppointments({ endpoint, authorization: basicAuthorization(credentials) });
    logger.info({ vendorId: EMBEDDED_VENDOR_ID, endpoint }, 'embedded vendor simulator reports its appointments to the platform');
    return true;
  } catch (error) {
    logger.warn({ vendorId: EMBEDDED_VENDOR_ID, err: error }, 'embedded vendor simulator: appointments not connected');
    return false;
  }
}
