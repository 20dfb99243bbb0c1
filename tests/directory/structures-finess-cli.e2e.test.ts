/** `npm run sas -- directory import finess FILE` against a fresh PostgreSQL database. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';

function sas(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/cli/sas.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const FIXTURES = 'tests/directory/fixtures/finess';

describe.skipIf(!testDatabaseUrl)('sas directory import finess', () => {
  it('imports an extraction with rejected lines, re-imports it as a no-op, applies a newer one, and refuses a non-FINESS file with exit 65', async () => {
    const db = await freshPgDatabase();
    const DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    const dir = mkdtempSync(join(tmpdir(), 'finess-cli-'));
    const march = join(dir, 'etalab-cs1100507-stock-20250301-0342.csv');
    const april = join(dir, 'etalab-cs1100507-stock-20250401-0342.csv');
    copyFileSync(`${FIXTURES}/etalab-cs1100507-stock-20250301-0342.csv`, march);
    copyFileSync(`${FIXTURES}/etalab-cs1100507-stock-20250401-0342.csv`, april);

    const run = sas(['directory', 'import', 'finess', march], { DATABASE_URL });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('(extraction of 2025-03-01)');
    expect(run.out).toMatch(/structures\s*│\s*7/);
    expect(run.out).toMatch(/skipped \(other categories\)\s*│\s*3/);
    expect(run.out).toMatch(/rejected lines\s*│\s*7/);
    expect(run.out).toMatch(/events appended\s*│\s*7/);
    expect(run.out).toContain(`Rejected lines: ${march}.rejects.csv`);
    expect(readFileSync(`${march}.rejects.csv`, 'utf8')).toContain(`\n14;"unknown INSEE commune code ""31999"""\n`);
    const streams = await db.query<{ n: number }>(`SELECT count(DISTINCT stream_name)::int AS n FROM es_events WHERE stream_name LIKE 'directory.structure-finess-%'`);
    expect(streams.rows[0]!.n).toBe(7);

    const again = sas(['directory', 'import', 'finess', march, '--partial'], { DATABASE_URL });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('partial extract: no closures');
    expect(again.out).toMatch(/events appended\s*│\s*0/);

    const newer = sas(['directory', 'import', 'finess', april], { DATABASE_URL });
    expect(newer.code, newer.err).toBe(0);
    expect(newer.out).toMatch(/events appended\s*│\s*3/);
    expect(newer.out).toMatch(/closed\s*│\s*1/);
    expect(newer.out).toMatch(/held back \(a line rejected\)\s*│\s*1/);

    const rpps = join(dir, 'rpps.txt');
    writeFileSync(rpps, readFileSync('data/reference/rpps/sample-synthetic.txt'));
    const wrong = sas(['directory', 'import', 'finess', rpps], { DATABASE_URL });
    expect(wrong.code).toBe(65);
    expect(wrong.err).toMatch(/Not a FINESS extraction/);
    expect(existsSync(`${rpps}.rejects.csv`)).toBe(false);

    const missing = sas(['directory', 'import', 'finess', join(dir, 'nope.csv')], { DATABASE_URL });
    expect(missing.code).toBe(65);
    expect(missing.err).toMatch(/Cannot read the FINESS extraction/);

    expect(sas(['directory', 'import', 'finess'], { DATABASE_URL }).code).toBe(64);
    expect(sas(['directory', 'import', 'finess', march, '--full'], { DATABASE_URL }).code).toBe(64);
    await db.close();
  });
});
