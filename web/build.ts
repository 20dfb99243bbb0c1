/**
 * Builds the web shell: bundles web/src/sas-app.ts with esbuild, copies index.html and the DSFR assets.
 * Usage: `node web/build.ts` (npm run build:web). Output: web/dist/{index.html, assets/app.js, assets/sas-search.js,
 * assets/dsfr/…}.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(webDir);
const dsfrDist = path.join(rootDir, 'node_modules', '@gouvfr', 'dsfr', 'dist');

/** Default output folder, served by webShellRouter. */
export const WEB_DIST_DIR = path.join(webDir, 'dist');

/** DSFR files the shell uses, relative to @gouvfr/dsfr/dist (folders are copied whole). */
const DSFR_FILES = [
  'dsfr.min.css',
  'dsfr.min.css.map',
  'fonts',
  'icons',
  'favicon',
  'utility/icons/icons.min.css',
  'utility/icons/icons.min.css.map',
];

export interface BuildWebOptions {
  /** Output folder (default web/dist). Tests build into their own folder. */
  readonly outDir?: string;
}

/** One ES module with everything it imports (lit included), minified, with its source map. */
function bundle(entry: string, outfile: string) {
  return build({
    entryPoints: [path.join(webDir, 'src', entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    absWorkingDir: rootDir,
  });
}

export async function buildWeb(options: BuildWebOptions = {}): Promise<void> {
  const outDir = options.outDir ?? WEB_DIST_DIR;
  const assets = path.join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(assets, 'dsfr'), { recursive: true });
  await Promise.all([
    bundle('sas-app.ts', path.join(assets, 'app.js')),
    // <sas-search> alone, for an LRM page of another origin (one script tag; EMBED_ORIGINS).
    bundle('sas-search-embed.ts', path.join(assets, 'sas-search.js')),
    cp(path.join(webDir, 'index.html'), path.join(outDir, 'index.html')),
    ...DSFR_FILES.map((file) =>
      cp(path.join(dsfrDist, file), path.join(assets, 'dsfr', file), { recursive: true }),
    ),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  buildWeb().then(
    () => console.log(`web shell built in ${Date.now() - started} ms → ${path.relative(process.cwd(), WEB_DIST_DIR) || WEB_DIST_DIR}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
