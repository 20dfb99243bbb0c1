/** Arguments of `npm run sas -- vendor-sim`: parsed strictly, every mistake named (the CLI exits 64 on them). */
import {
  VendorSimOptionsError,
  type VendorSimulatorOptions,
} from '../modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { MALFORMED_MODES, type MalformedMode } from '../modules/availability/infrastructure/vendor-sim/vendor-sim.switches.ts';

export const VENDOR_SIM_USAGE = `  vendor-sim [--port N (3100)] [--host H] [--vendor NAME] [--practitioners N] [--seed N] [--cpts N] [--sos N]
             [--capability end-to-end|aggregation] [--latency MS] [--jitter MS] [--error-rate 0..1]
             [--error-status 500|503] [--timeout-rate 0..1] [--malformed MODE] [--oversized BYTES]
             [--appointments PLATFORM_FHIR_URL]
                                 run a simulated booking vendor (FHIR server of the SAS guide) on loopback
                                 and print its base URL; switches change at runtime with POST /_sim/switches;
                                 MODE: ${MALFORMED_MODES.join(', ')}`;

/** Port of a standalone simulator when --port is not given (0: any free port). */
export const DEFAULT_PORT = 3100;

const FLAGS = ['--port', '--host', '--vendor', '--practitioners', '--seed', '--cpts', '--sos', '--capability', '--latency', '--jitter', '--error-rate', '--error-status', '--timeout-rate', '--malformed', '--oversized', '--appointments'] as const;

function integer(flag: string, value: string, max: number): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) > max) throw new VendorSimOptionsError(`${flag} needs a whole number from 0 to ${max} (got "${value}").`);
  return Number(value);
}

function rate(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 1) throw new VendorSimOptionsError(`${flag} needs a rate from 0 to 1 (got "${value}").`);
  return n;
}

export function parseVendorSimArgs(args: readonly string[]): VendorSimulatorOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    if (!(FLAGS as readonly string[]).includes(flag)) throw new VendorSimOptionsError(`Unknown option "${flag}".`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new VendorSimOptionsError(`${flag} needs a value.`);
    if (values.has(flag)) throw new VendorSimOptionsError(`${flag} is given twice.`);
    values.set(flag, value);
  }
  const get = (flag: (typeof FLAGS)[number]) => values.get(flag);
  const switches: NonNullable<VendorSimulatorOptions['switches']> = {};
  const options: { -readonly [K in keyof VendorSimulatorOptions]: VendorSimulatorOptions[K] } = { port: DEFAULT_PORT };
  if (get('--port') !== undefined) options.port = integer('--port', get('--port')!, 65_535);
  if (get('--host') !== undefined) options.host = get('--host')!;
  if (get('--vendor') !== undefined) options.vendor = get('--vendor')!;
  if (get('--practitioners') !== undefined) options.practitioners = integer('--practitioners', get('--practitioners')!, 200_000);
  if (get('--seed') !== undefined) options.seed = integer('--seed', get('--seed')!, 2 ** 31 - 1);
  if (get('--cpts') !== undefined) options.cpts = integer('--cpts', get('--cpts')!, 50);
  if (get('--sos') !== undefined) options.sosMedecins = integer('--sos', get('--sos')!, 50);
  const capability = get('--capability');
  if (capability !== undefined) {
    if (capability !== 'end-to-end' && capability !== 'aggregation') throw new VendorSimOptionsError(`--capability needs end-to-end or aggregation (got "${capability}").`);
    options.capability = capability;
  }
  if (get('--latency') !== undefined) switches.latencyMs = integer('--latency', get('--latency')!, 600_000);
  if (get('--jitter') !== undefined) switches.jitterMs = integer('--jitter', get('--jitter')!, 600_000);
  if (get('--error-rate') !== undefined) switches.errorRate = rate('--error-rate', get('--error-rate')!);
  const status = get('--error-status');
  if (status !== undefined) {
    if (status !== '500' && status !== '503') throw new VendorSimOptionsError(`--error-status needs 500 or 503 (got "${status}").`);
    switches.errorStatus = Number(status) as 500 | 503;
  }
  if (get('--timeout-rate') !== undefined) switches.timeoutRate = rate('--timeout-rate', get('--timeout-rate')!);
  const malformed = get('--malformed');
  if (malformed !== undefined) {
    if (!(MALFORMED_MODES as readonly string[]).includes(malformed)) throw new VendorSimOptionsError(`--malformed needs one of ${MALFORMED_MODES.join(', ')} (got "${malformed}").`);
    switches.malformed = malformed as MalformedMode;
  }
  if (get('--oversized') !== undefined) switches.oversizedBytes = Math.max(1, integer('--oversized', get('--oversized')!, 500_000_000));
  const appointments = get('--appointments');
  if (appointments !== undefined) {
    if (!/^https?:\/\/\S+$/.test(appointments)) throw new VendorSimOptionsError(`--appointments needs the platform's FHIR base URL (got "${appointments}").`);
    options.appointments = { endpoint: appointments };
  }
  options.switches = switches;
  return options;
}
