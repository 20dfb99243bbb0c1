/**
 * `npm start` on embedded defaults: the real entry point in a child process, with PGlite in a temp DATA_DIR,
 * demo data, persistence across a restart, the data-dir lock, and a clean exit on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/services.ts';
import { loginAs } from '../support/http-browser.ts';
import { eventually } from '../support/test-platform.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sas-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function start(env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const proc = run({ PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000; // the first start seeds the demo data set (a département of practitioners and slots)
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { ...proc, url };
    } catch {
      // not listening yet
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      proc.child.kill('SIGKILL');
      throw new Error(`the platform did not become healthy within 60 s:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

describe('npm start on embedded defaults', () => {
  let slotId = '';

  it('starts healthy with demo data, and keeps what was written across a restart', async () => {
    const first = await start();
    try {
      // The demo effecteur logs in through the embedded Pro Santé Connect imitation.
      const effecteur = await loginAs(first.url, '810000000009');
      const mySlots = async () => ((await (await effecteur.api('/api/availability/slots?effecteurId=10000000009&limit=500')).json()) as { items: unknown[] }).items;
      const demo = { items: await mySlots() };
      // Demo data goes through the projection: wait until it is visible.
      const deadline = Date.now() + 10_000;
      let items = demo.items;
      while (items.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        items = await mySlots();
      }
      expect(items.length).toBeGreaterThan(5);

      const start = new Date(Date.now() + 3 * 3_600_000).toISOString();
      const end = new Date(Date.now() + 3.5 * 3_600_000).toISOString();
      const created = await effecteur.api('/api/availability/slots', { method: 'POST', json: { effecteurId: '10000000009', start, end, consultationTypes: ['cabinet'] } });
      expect(created.status).toBe(201);
      slotId = ((await created.json()) as { slotId: string }).slotId;
      // Ready once the projections have caught up with the demo data set (a département of practitioners and slots).
      await eventually(async () => (await fetch(`${first.url}/readyz`)).status === 200, 120_000, 500);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    expect(first.output()).toMatch(/SAS platform stopped/);

    const second = await start();
    try {
      const effecteur = await loginAs(second.url, '810000000009');
      const slot = await effecteur.api(`/api/availability/slots/${slotId}`);
      expect(slot.status).toBe(200);
      expect(await slot.json()).toMatchObject({ status: 'published', effecteurId: '10000000009' });
      // Demo data is loaded once, on an empty store only.
      const list = (await (await effecteur.api('/api/availability/slots?effecteurId=10000000009&limit=500')).json()) as {
        items: { slotId: string }[];
      };
      expect(list.items.filter((s) => s.slotId === slotId)).toHaveLength(1);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 240_000);

  it('refuses a second process on the same data directory with a clear message', async () => {
    const first = await start();
    try {
      const port = await freePort();
      const second = run({ PORT: String(port) });
      const code = await second.exited;
      expect(code).not.toBe(0);
      expect(second.output()).toMatch(/is in use by process \d+/);
    } finally {
      await stop(first);
    }
  });

  it('names each bad variable and exits 78 without starting', async () => {
    const proc = run({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toMatch(/PORT: "eighty" is not a whole number/);
    expect(proc.output()).toMatch(/LOG_LEVEL: "loud" is not one of/);
  });
});
