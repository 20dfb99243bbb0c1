/**
 * The platform's command line: `npm run sas -- <command>`.
 *   projections status            lag and position of every projection
 *   projections rebuild NAME      replay the history into fresh tables and swap them in, with a progress bar
 *   directory import rpps FILE    import the public RPPS extraction into the directory
 *   directory import finess FILE  import the structures (CPTS, MSP, centres de santé) of the FINESS extraction
 *   demo seed --scale S           generate a synthetic directory with 72 h of slots (department or national)
 *   vendor-sim [options]          run a simulated booking vendor (FHIR server of the SAS guide) until stopped
 */
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig } from '../shared-kernel/config/config.ts';
import { createLogger } from '../shared-kernel/logging/logger.ts';
import { createPlatform, MODULES, type Platform } from '../app/platform.ts';
import { DIRECTORY_STRUCTURES, FinessExtractError, importFinessExtract } from '../modules/directory/index.ts';
import { DIRECTORY, directoryModule, importRppsExtract, RppsExtractError, seedDemoDirectory, type DemoScale } from '../modules/directory/index.ts';
import { seedDemoAgendas } from '../modules/availability/index.ts';
import { isDemoRpps } from '../shared-kernel/ids/rpps.id.ts';
import { createVendorSimulator, VendorSimOptionsError } from '../modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { parseVendorSimArgs, VENDOR_SIM_USAGE } from './vendor-sim.args.ts';

const USAGE = `Usage: npm run sas -- <command>

Commands:
  projections status             position, head and lag of every projection
  projections rebuild NAME       rebuild one projection from the whole event history
  directory import rpps FILE [--partial]
                                 import an RPPS extraction (PS_LibreAcces_Personne_activite); practitioners
                                 absent from FILE are marked departed unless --partial; rejected lines are
                                 listed in FILE.rejects.csv (exit 65 if FILE is unreadable or not an extraction)
  directory import finess FILE [--partial]
                                 import the CPTS, maisons de santé and centres de santé of a FINESS extraction
                                 (etalab-cs1100507-stock-….csv); other establishments are skipped; FINESS
                                 structures absent from FILE are closed unless --partial; rejected lines are
                                 listed in FILE.rejects.csv (exit 65 if FILE is unreadable or not an extraction)
  demo seed --scale department|national [--departement CODE] [--seed N]
                                 generate a synthetic directory over the real communes (density follows
                                 population; RPPS numbers 19…, never real ones) with free slots over the
                                 next 72 h; department scale uses CODE (default 31); a second run is a no-op
${VENDOR_SIM_USAGE}
  help                           this text
`;

class UsageError extends Error {}

/** Modules of the CLI's platform: the server's, plus the directory until the composition root lists it. */


async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const platform = await createPlatform({ config, logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }), modules: MODULES });
  try {
    return await fn(platform);
  } finally {
    await platform.stop();
  }
}

async function projections(args: string[]): Promise<void> {
  const [sub, name] = args;
  if (sub === 'status') {
    await withPlatform(async (platform) => {
      const rows = await platform.projections.status();
      console.table(rows.map((s) => ({ projection: s.name, position: s.position, head: s.head, lag: s.lag, 'rebuilt at': s.rebuiltAt ?? '—' })));
    });
    return;
  }
  if (sub === 'rebuild') {
    if (!name) throw new UsageError('projections rebuild needs the name of a projection (see `projections status`).');
    await withPlatform(async (platform) => {
      if (!platform.projections.names.includes(name)) {
        throw new UsageError(`Unknown projection "${name}". Known projections: ${platform.projections.names.join(', ')}`);
      }
      const bar = new cliProgress.SingleBar(
        { format: `${name} [{bar}] {percentage}% | {value}/{total} positions | {applied} events applied | {eta_formatted} left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      const head = await platform.eventStore.headPosition();
      bar.start(Math.max(head, 1), 0, { applied: 0 });
      const started = Date.now();
      const result = await platform.projections.rebuild(name, (p) => {
        bar.setTotal(Math.max(p.head, 1));
        bar.update(p.position, { applied: p.applied });
      });
      bar.update(Math.max(result.head, 1), { applied: result.applied });
      bar.stop();
      const seconds = (Date.now() - started) / 1000;
      console.log(`Rebuilt ${name}: ${result.applied} events applied up to position ${result.position} in ${seconds.toFixed(1)} s.`);
    });
    return;
  }
  throw new UsageError(`Unknown projections command "${sub ?? ''}".`);
}

/** `directory import finess FILE [--partial]`. */
async function importFiness(rest: string[]): Promise<number> {
  const partial = rest.includes('--partial');
  const files = rest.filter((a) => a !== '--partial');
  const unknownFlag = files.find((a) => a.startsWith('--'));
  if (unknownFlag) throw new UsageError(`Unknown option "${unknownFlag}".`);
  if (files.length !== 1) throw new UsageError('directory import finess needs exactly one FILE.');
  const file = files[0]!;
  try {
    return await withPlatform(async (platform) => {
      const deps = platform.containers.get(directoryModule.name)!.get(DIRECTORY_STRUCTURES.deps);
      const bar = new cliProgress.SingleBar(
        { format: '{phase} [{bar}] {percentage}% | {value}/{total} {unit} | {eta_formatted} left', hideCursor: true, noTTYOutput: false },
        cliProgress.Presets.shades_classic,
      );
      let phase = '';
      const started = Date.now();
      const result = await importFinessExtract(deps, {
        file,
        full: !partial,
        onProgress: (p) => {
          const label = p.phase === 'parse' ? 'reading' : p.phase === 'sync' ? 'syncing' : 'closing';
          if (p.phase !== phase) {
            if (phase) bar.stop();
            phase = p.phase;
            bar.start(Math.max(p.total ?? 1, 1), p.done, { phase: label, unit: p.phase === 'parse' ? 'bytes' : 'structures' });
          } else {
            bar.update(p.done);
          }
        },
      });
      if (phase) bar.stop();
      const seconds = (Date.now() - started) / 1000;
      const date = result.extractionDate ? ` (extraction of ${result.extractionDate})` : '';
      console.log(`Imported ${file}${date} in ${seconds.toFixed(1)} s${partial ? ' (partial extract: no closures)' : ''}.`);
      console.table({
        'lines read': result.lines,
        structures: result.structures,
        'skipped (other categories)': result.skipped,
        'rejected lines': result.rejects.length,
        'held back (a line rejected)': result.heldBack,
        'events appended': result.eventsAppended,
        closed: result.closed,
      });
      if (result.rejectsFile) console.log(`Rejected lines: ${result.rejectsFile}`);
      return 0;
    });
  } catch (error) {
    if (error instanceof FinessExtractError) {
      console.error(error.message);
      return 65; // EX_DATAERR
    }
    throw error;
  }
}

async function directory(args: string[]): Promise<number> {
  const [sub, kind, ...rest] = args;
  if (sub === 'import' && kind === 'finess') return importFiness(rest);
  if (sub !== 'import' || kind !== 'rpps') throw new UsageError(`Unknown directory command "${[sub, kind].filter(Boolean).join(' ')}".`);
  const partial = rest.includes('--partial');
  const files = rest.filter((a) => a !== '--partial');
  const unknownFlag = files.find((a) => a.startsWith('--'));
  if (unknownFlag) throw new UsageError(`Unknown option "${unknownFlag}".`);
  if (files.length !== 1) throw new UsageError('directory import rpps needs exactly one FILE.');
  const file = files[0]!;
  try {
    return await withPlatform(async (platform) => {
      const deps = platform.containers.get(directoryModule.name)!.get(DIRECTORY.deps);
      const bar = new cliProgress.SingleBar(
        { format: '{phase} [{bar}] {percentage}% | {value}/{total} {unit} | {eta_formatted} left', hideCursor: true, noTTYOutput: false },
        cliProgress.Presets.shades_classic,
      );
      let phase = '';
      const started = Date.now();
      const result = await importRppsExtract(deps, {
        file,
        full: !partial,
        onProgress: (p) => {
          const label = p.phase === 'parse' ? 'reading  ' : p.phase === 'sync' ? 'syncing  ' : 'departing';
          if (p.phase !== phase) {
            if (phase) bar.stop();
            phase = p.phase;
            bar.start(Math.max(p.total ?? 1, 1), p.done, { phase: label, unit: p.phase === 'parse' ? 'bytes' : 'practitioners' });
          } else {
            bar.update(p.done);
          }
        },
      });
      if (phase) bar.stop();
      const seconds = (Date.now() - started) / 1000;
      console.log(`Imported ${file} in ${seconds.toFixed(1)} s${partial ? ' (partial extract: no departures)' : ''}.`);
      console.table({
        'lines read': result.lines,
        practitioners: result.practitioners,
        'rejected lines': result.rejects.length,
        'held back (a line rejected)': result.heldBack,
        'events appended': result.eventsAppended,
        departed: result.departed,
      });
      if (result.rejectsFile) console.log(`Rejected lines: ${result.rejectsFile}`);
      return 0;
    });
  } catch (error) {
    if (error instanceof RppsExtractError) {
      console.error(error.message);
      return 65; // EX_DATAERR
    }
    throw error;
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value.`);
  return value;
}

async function demo(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'seed') throw new UsageError(`Unknown demo command "${sub ?? ''}".`);
  const known = new Set(['--scale', '--departement', '--seed']);
  for (let i = 0; i < rest.length; i += 2) if (!known.has(rest[i]!)) throw new UsageError(`Unknown option "${rest[i]}".`);
  const scaleName = option(rest, '--scale');
  if (scaleName !== 'department' && scaleName !== 'national') throw new UsageError('demo seed needs --scale department or --scale national.');
  const departement = option(rest, '--departement') ?? '31';
  const seedText = option(rest, '--seed') ?? '2026';
  if (!/^\d{1,9}$/.test(seedText)) throw new UsageError('--seed needs a whole number.');
  const scale: DemoScale = scaleName === 'national' ? { kind: 'national' } : { kind: 'department', departement };
  await withPlatform(async (platform) => {
    const container = platform.containers.get(directoryModule.name)!;
    const communes = container.get(DIRECTORY.search).geocoder!.all();
    if (scale.kind === 'department' && !communes.some((c) => c.departement === departement)) {
      throw new UsageError(`Unknown département "${departement}".`);
    }
    const deps = container.get(DIRECTORY.deps);
    const started = Date.now();
    const bar = new cliProgress.SingleBar({ format: '{phase} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left', hideCursor: true }, cliProgress.Presets.shades_classic);
    let barStarted = false;
    const directory = await seedDemoDirectory(deps, communes, scale, {
      seed: Number(seedText),
      onProgress: (p) => {
        if (!barStarted) bar.start(p.total, 0, { phase: 'practitioners' });
        barStarted = true;
        bar.update(p.done);
      },
    });
    if (barStarted) bar.stop();
    if (directory.practitioners === 0) {
      console.log('This scale was seeded before: nothing written.');
      return;
    }
    const agendas = await seedDemoAgendas(deps, {
      isDemo: isDemoRpps,
      seed: Number(seedText),
      onProgress: (slots, practitioners) => process.stdout.write(`\rslots: ${slots} for ${practitioners} practitioners`),
    });
    process.stdout.write('\n');
    console.log(`Seeded the ${scaleName} demo data set in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    console.table({ practitioners: directory.practitioners, 'places of practice': directory.locations, 'directory events': directory.events, 'free slots (next 72 h)': agendas.slots });
    console.log('The projections catch up when the platform runs (npm start), or now with: npm run sas -- projections status');
  });
}

/** `vendor-sim [options]`: runs until SIGINT/SIGTERM. */
async function vendorSim(args: string[]): Promise<number> {
  let simulator;
  try {
    simulator = await createVendorSimulator({ ...parseVendorSimArgs(args), logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }) });
  } catch (error) {
    if (error instanceof VendorSimOptionsError) throw new UsageError(error.message);
    throw error;
  }
  console.log(`Vendor simulator "${simulator.vendor}" (${simulator.capability}, ${simulator.practitioners.length} practitioners) listening.`);
  console.log(`FHIR base URL: ${simulator.fhirBaseUrl}`);
  console.log(`Admin: ${simulator.url}/_sim (switches: POST ${simulator.url}/_sim/switches)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.stop();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'projections':
        await projections(rest);
        return 0;
      case 'directory':
        return await directory(rest);
      case 'demo':
        await demo(rest);
        return 0;
      case 'vendor-sim':
        return await vendorSim(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 64 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 64; // EX_USAGE
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78; // EX_CONFIG
    }
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
