/** `npm run sas -- projections status|rebuild NAME` against a PostgreSQL database holding real events. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';
import { eventually, startTestPlatform } from '../support/test-platform.ts';
import { loginAs } from '../support/http-browser.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';

function sas(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/cli/sas.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.skipIf(!testDatabaseUrl)('sas CLI', () => {
  it('shows projection status and rebuilds a projection to the same rows', async () => {
    const db = await freshPgDatabase();
    const DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    const t = await startTestPlatform({ env: { DATABASE_URL, DEMO_DATA: 'true' } });
    const effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    await eventually(async () => ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM availability_free_slots')).rows[0]?.n ?? 0) > 0);
    const demoSlots = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM availability_free_slots')).rows[0]!.n;
    const start = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    for (let h = 1; h <= 5; h++) {
      const response = await effecteur.api('/api/availability/slots', {
        method: 'POST',
        json: { effecteurId: '10000000009', start: start(h), end: start(h + 0.25), consultationTypes: ['cabinet'] },
      });
      expect(response.status).toBe(201);
    }
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM availability_free_slots')).rows[0]?.n === demoSlots + 5);
    await t.stop();
    const before = (await db.query('SELECT slot_id FROM availability_free_slots ORDER BY slot_id')).rows;

    const status = sas(['projections', 'status'], { DATABASE_URL });
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/availability_free_slots/);

    const rebuild = sas(['projections', 'rebuild', 'availability_free_slots'], { DATABASE_URL });
    expect(rebuild.code, rebuild.err).toBe(0);
    expect(rebuild.out).toMatch(new RegExp(`Rebuilt availability_free_slots: ${demoSlots + 5} events applied`));
    expect((await db.query('SELECT slot_id FROM availability_free_slots ORDER BY slot_id')).rows).toEqual(before);

    const unknown = sas(['projections', 'rebuild', 'nope'], { DATABASE_URL });
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/Unknown projection "nope"\. Known projections: .*availability_free_slots/);
    await db.close();
  });

  it('explains its usage', () => {
    const none = sas([], {});
    expect(none.code).toBe(64);
    expect(none.out).toMatch(/projections rebuild NAME/);
    expect(sas(['frobnicate'], {}).code).toBe(64);
    const badConfig = sas(['projections', 'status'], { DATABASE_URL: 'mysql://x' });
    expect(badConfig.code).toBe(78);
    expect(badConfig.err).toMatch(/DATABASE_URL/);
  });

  it('seeds a département of demo data once, and refuses bad demo seed arguments without writing anything', async () => {
    const db = await freshPgDatabase();
    const DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    const events = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'es_events'")).rows[0]!.n > 0
      ? (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events')).rows[0]!.n
      : 0;
    for (const args of [[], ['--scale', 'planet'], ['--scale'], ['--scale', 'department', '--seed', 'x'], ['--scale', 'department', '--frobnicate', '1'], ['--scale', 'department', '--departement', '99']]) {
      const refused = sas(['demo', 'seed', ...args], { DATABASE_URL });
      expect(refused.code, `${args.join(' ')}: ${refused.err}`).toBe(64);
      expect(refused.err).toMatch(/scale|seed|option|département|needs a value/i);
    }
    expect(await events()).toBe(0);
    const seeded = sas(['demo', 'seed', '--scale', 'department', '--departement', '48'], { DATABASE_URL });
    expect(seeded.code, seeded.err).toBe(0);
    expect(seeded.out).toMatch(/practitioners/);
    const written = await events();
    expect(written).toBeGreaterThan(0);
    const again = sas(['demo', 'seed', '--scale', 'department', '--departement', '48'], { DATABASE_URL });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/nothing written/);
    expect(await events()).toBe(written);
    await db.close();
  });
});
