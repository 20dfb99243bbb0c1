/**
 * ROLE=api and ROLE=worker split the platform over processes sharing PostgreSQL: the API appends events and
 * serves reads, the worker runs the projections. Here both run in this process, on one fresh database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app/platform.ts';
import { loadConfig } from '../../src/shared-kernel/config/config.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';
import { loginAs } from '../support/http-browser.ts';
import { eventually } from '../support/test-platform.ts';

describe.skipIf(!testDatabaseUrl)('API and worker processes', () => {
  let api: Platform;
  let worker: Platform;
  let url: string;

  beforeAll(async () => {
    const db = await freshPgDatabase();
    const DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    await db.close();
    const env = { DATABASE_URL, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO_DATA: 'true', DEMO_DIRECTORY: 'none' };
    api = await createPlatform({ config: loadConfig({ ...env, ROLE: 'api' }) });
    url = (await api.start())!;
    worker = await createPlatform({ config: loadConfig({ ...env, ROLE: 'worker', DEMO_DATA: 'false' }) });
    expect(await worker.start()).toBeNull();
  });
  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
  });

  it('the API writes, the worker projects, the API reads the projection', async () => {
    const effecteur = await loginAs(url, demoIdentityByRole('effecteur').nationalId);
    const start = new Date(Date.now() + 5 * 3_600_000);
    const created = await effecteur.api('/api/availability/slots', {
      method: 'POST',
      json: { effecteurId: '10000000009', start: start.toISOString(), end: new Date(start.getTime() + 1_200_000).toISOString() },
    });
    expect(created.status).toBe(201);
    const { slotId } = (await created.json()) as { slotId: string };
    await eventually(async () => {
      const list = (await (await effecteur.api('/api/availability/slots?effecteurId=10000000009&limit=500')).json()) as { items: { slotId: string }[] };
      return list.items.some((s) => s.slotId === slotId);
    });
    const apiStatus = await api.projections.status();
    expect(apiStatus.every((s) => !s.running)).toBe(true);
    expect((await worker.projections.status()).every((s) => s.running)).toBe(true);
  });
});
