/**
 * Graceful shutdown (what SIGTERM triggers in src/main.ts): in-flight HTTP requests and jobs finish, new
 * connections are refused, then the stores close. Run with the in-process job runner and with BullMQ on Redis.
 */
import { describe, expect, it } from 'vitest';
import type { PlatformModule } from '../../src/shared-kernel/platform-module.ts';
import { anonymousAllowed } from '../../src/shared-kernel/auth/route.ts';
import { availabilityModule } from '../../src/modules/availability/index.ts';
import { startTestPlatform } from '../support/test-platform.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function slowModule(log: string[]): PlatformModule {
  return {
    name: 'slow',
    register() {},
    api: () => [
      {
        method: 'get',
        path: '/test/slow',
        summary: 'a slow request',
        policy: anonymousAllowed,
        async handle(_req, res) {
          log.push('request started');
          await sleep(600);
          log.push('request finished');
          res.json({ done: true });
        },
      },
    ],
    jobs(_container, jobs) {
      jobs.register<{ n: number }>({
        queue: 'test.slow',
        name: 'slow',
        attempts: 1,
        handler: async ({ n }) => {
          log.push(`job ${n} started`);
          await sleep(500);
          log.push(`job ${n} finished`);
        },
      });
    },
  };
}

const variants = [
  { name: 'in-process jobs', env: () => ({}) },
  { name: 'BullMQ jobs', env: () => ({ REDIS_URL: process.env.TEST_REDIS_URL ?? '' }), needsRedis: true },
];

describe.each(variants)('graceful shutdown with $name', (variant) => {
  // Without the service the global set-up has already failed when CI=true; locally the test is skipped.
  const missing = !process.env.TEST_DATABASE_URL || (variant.needsRedis === true && !process.env.TEST_REDIS_URL);
  it.skipIf(missing)('finishes in-flight requests and jobs, then refuses new connections', async () => {
    const log: string[] = [];
    const t = await startTestPlatform({ env: { SHUTDOWN_TIMEOUT_MS: '5000', ...variant.env() }, modules: [availabilityModule, slowModule(log)] });
    await t.platform.jobs.enqueue('test.slow', 'slow', { n: 1 });
    const deadline = Date.now() + 10_000;
    while (!log.includes('job 1 started') && Date.now() < deadline) await sleep(10);
    expect(log).toContain('job 1 started');

    const inFlight = fetch(`${t.url}/api/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    while (!log.includes('request started')) await sleep(5);
    await t.stop();
    log.push('stopped');

    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    expect(log.indexOf('request finished')).toBeLessThan(log.indexOf('stopped'));
    expect(log.indexOf('job 1 finished')).toBeLessThan(log.indexOf('stopped'));
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});
