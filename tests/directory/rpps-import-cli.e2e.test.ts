/** `npm run sas -- directory import rpps FILE` against a fresh PostgreSQL database. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe.skipIf(!testDatabaseUrl)('sas directory import rpps', () => {
  it('imports a file with a rejected line, reports it, and refuses a wrong header with exit 65', async () => {
    const db = await freshPgDatabase();
    const DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    const dir = mkdtempSync(join(tmpdir(), 'rpps-cli-'));
    const synthetic = readFileSync('data/reference/rpps/sample-synthetic.txt', 'utf8').trimEnd().split('\n');
    const badCommune = readFileSync('data/reference/rpps/sample-malformed.txt', 'utf8').trimEnd().split('\n')[3]!;
    const file = join(dir, 'extract.txt');
    writeFileSync(file, [...synthetic, badCommune].join('\n') + '\n');

    const run = sas(['directory', 'import', 'rpps', file], { DATABASE_URL });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/practitioners\s*│\s*35/);
    expect(run.out).toMatch(/rejected lines\s*│\s*1/);
    expect(run.out).toMatch(/events appended\s*│\s*75/);
    expect(run.out).toContain(`Rejected lines: ${file}.rejects.csv`);
    expect(readFileSync(`${file}.rejects.csv`, 'utf8')).toBe('line;reason\n42;"unknown INSEE commune code ""59999"""\n');
    const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT stream_name)::int AS n FROM es_events WHERE stream_name LIKE 'directory.practitioner-%'`);
    expect(rows[0]!.n).toBe(35);

    const again = sas(['directory', 'import', 'rpps', file, '--partial'], { DATABASE_URL });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/events appended\s*│\s*0/);

    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'nom|prenom|\nA|B|\n');
    const wrong = sas(['directory', 'import', 'rpps', bad], { DATABASE_URL });
    expect(wrong.code).toBe(65);
    expect(wrong.err).toMatch(/Not an RPPS extraction .* lacks the column\(s\) "Type d'identifiant PP"/);
    expect(existsSync(`${bad}.rejects.csv`)).toBe(false);

    const missing = sas(['directory', 'import', 'rpps', join(dir, 'nope.txt')], { DATABASE_URL });
    expect(missing.code).toBe(65);
    expect(missing.err).toMatch(/Cannot read the RPPS extraction/);

    expect(sas(['directory', 'import', 'rpps'], { DATABASE_URL }).code).toBe(64);
    await db.close();
  });
});
